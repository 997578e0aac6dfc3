// The roles a model profile fills. A profile (embedded, stash-sense, …) supplies one detector, optionally a
// separate landmark model, and one embedder per embedding model; the pipeline only talks to these.
import type { Logger } from '../logger.js';
import type { ModelPaths } from '../models/index.js';
import type { SessionFactory } from './onnx-sessions.js';
import type { Affine } from './similarity.js';
import type { Box, Point, RgbImage } from './types.js';

/** A face as a detector reports it: landmarks only when the detector predicts them itself (SCRFD does). */
export interface FaceCandidate {
  box: Box;
  score: number;
  landmarks?: Point[];
}

export interface FaceDetector {
  /** Faces in the whole frame, duplicates already merged, boxes in frame pixels. */
  detect(image: RgbImage): Promise<FaceCandidate[]>;
}

/** The 5 alignment points (eyes, nose, mouth corners) for each box, for detectors that do not give them. */
export interface LandmarkLocator {
  locate(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]>;
}

export interface FaceEmbedder {
  readonly name: string;
  readonly dims: number;
  /** Images per ONNX run; 1 when the model cannot batch. */
  readonly maxBatch: number;
  /**
   * One L2-normalised vector per aligned 112×112 ArcFace-template crop. The embedder owns its preprocessing
   * (size, layout, normalisation); with `flip` it also embeds each mirrored crop and merges the two.
   */
  embed(aligned: readonly RgbImage[], options: { flip: boolean }): Promise<Float32Array[]>;
}

export interface ProfileModels {
  readonly detector: FaceDetector;
  readonly landmarks: LandmarkLocator | undefined;
  readonly embedders: readonly FaceEmbedder[];
  /** Warps a frame onto the 112×112 alignment template as the profile's models were trained or indexed; a float bilinear warp when absent. */
  readonly warp?: (image: RgbImage, matrix: Affine, width: number, height: number) => RgbImage;
  close(): Promise<void>;
}

export interface ProfileOpenOptions {
  /** Role → verified model file, from the manifest. */
  paths: ModelPaths;
  sessions: SessionFactory;
  detectionThreshold: number;
  /** Largest embedder batch in images (a flipped crop counts as one); 1 runs faces one by one. */
  embedBatchSize: number;
  /** Detector regions per run, for detectors that can batch; 1 runs them one by one. */
  detectBatchSize: number;
  /** Landmark crops per run; 1 runs faces one by one. */
  landmarkBatchSize: number;
  logger: Logger;
}

/** Opens a profile's sessions; `close()` on the result releases them. */
export type ProfileOpener = (options: ProfileOpenOptions) => Promise<ProfileModels>;
