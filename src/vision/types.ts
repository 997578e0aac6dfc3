/** Packed RGB, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A rectangle in image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Point = readonly [number, number];

/** A face found in an image; landmarks are 5 points: left eye, right eye, nose, left and right mouth corner. */
export interface DetectedFace {
  box: Box;
  score: number;
  landmarks: Point[];
}

/** A detected face with one L2-normalised embedding per embedding model (model name → vector). */
export interface EmbeddedFace extends DetectedFace {
  embeddings: Record<string, Float32Array>;
}

export interface StageTimings {
  decodeMs: number;
  detectMs: number;
  landmarksMs: number;
  alignMs: number;
  embedMs: number;
}

export interface ImageAnalysis {
  width: number;
  height: number;
  /** The decoded pixels, for later steps that look at more than the faces (the body signal). */
  image: RgbImage;
  faces: EmbeddedFace[];
  timings: StageTimings;
}

export interface EmbeddingModelInfo {
  name: string;
  dims: number;
}

export type ExecutionProviderSetting = 'auto' | 'cuda' | 'cpu';
export type ExecutionProvider = 'cuda' | 'cpu';

export interface VisionConfig {
  modelsDir: string;
  profile: 'embedded' | 'stash-sense';
  executionProvider: ExecutionProviderSetting;
  /** CUDA_DEVICE: the GPU (as the process sees them) sessions run on; default 0. */
  cudaDeviceId?: number;
  maxImagePixels: number;
  detectionThreshold: number;
  flip: boolean;
}
