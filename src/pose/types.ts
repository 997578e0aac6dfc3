import type { Box } from '../vision/index.js';

/** One MoveNet keypoint in crop pixels; `score` is MoveNet's confidence 0–1. */
export interface Keypoint {
  x: number;
  y: number;
  score: number;
}

/** Why a person gave no body signal; shown in results so a user can tell "not measured" from "no match". */
export type NoBodySignalReason =
  | 'BODY_OUT_OF_FRAME'
  | 'LOW_CONFIDENCE'
  | 'HIPS_AT_CROP_EDGE'
  | 'DEGENERATE_POSE';

/** The shoulder-width / hip-width ratio of one person, or why there is none. */
export type BodyMeasurement =
  | { kind: 'measured'; shoulderHipRatio: number }
  | { kind: 'none'; reason: NoBodySignalReason };

/** The region below and around a face where that person's body is looked for, in image pixels. */
export interface BodyCrop {
  box: Box;
  /** True when the crop was cut by the image's bottom edge. */
  clippedBottom: boolean;
}
