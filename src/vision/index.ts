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
export { pickPrimaryFace } from './face-boxes.js';
export { cosineDistance, l2Normalise } from './vectors.js';
export { encodeFaceThumbnail } from './thumbnail.js';
