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
export { createVisionPipeline, DEFAULT_VISION_TUNING, type FrameFaces, type VisionDeps, type VisionPipeline, type VisionTuning } from './pipeline.js';
export { CUDA_FAILURES_BEFORE_FALLBACK, type InferenceStats, type SessionBackend } from './onnx-sessions.js';
export { openVisionOrDegraded, type ReplaceableVision, type OpenVisionOptions } from './replaceable-vision.js';
export { pickPrimaryFace } from './face-boxes.js';
export { decodeImage, type DecodeOptions } from './decode.js';
export type { FaceRegion } from './image-ops.js';
export { cosineDistance, l2Normalise } from './vectors.js';
export { assessFaceQuality, DEFAULT_FACE_QUALITY, type FaceQuality, type FaceQualityThresholds, type QualityIssue } from './face-quality.js';
export { encodeFaceThumbnail } from './thumbnail.js';
