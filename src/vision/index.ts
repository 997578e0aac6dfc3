export type {
  RgbImage,
  Box,
  Point,
  DetectedFace,
  EmbeddedFace,
  StageTimings,
  ImageAnalysis,
  EmbeddingModelInfo,
  ExecutionProviderSetting,
  ExecutionProvider,
  VisionConfig,
} from './types.js';
export { createVisionPipeline, DEFAULT_VISION_TUNING, type VisionPipeline, type VisionTuning } from './pipeline.js';
export { openVisionOrDegraded, type ReplaceableVision, type OpenVisionOptions } from './replaceable-vision.js';
export { pickPrimaryFace } from './face-boxes.js';
export { cosineDistance, l2Normalise } from './vectors.js';
