import type { DetectedFace, RgbImage } from './types.js';

/** Why a face may be shown but should not vote for a name. */
export type QualityIssue = 'small' | 'blurred' | 'turned';

export interface FaceQuality {
  /** 0–1: the face's weight in a person's template. */
  weight: number;
  /** Good enough to vote for a name. */
  votes: boolean;
  issues: QualityIssue[];
  /** The measurements, for logs and the accuracy benchmark. */
  sizePx: number;
  sharpness: number;
  yaw: number;
}

export interface FaceQualityThresholds {
  /** Below this face side (px, smaller of box width and height) the embedding is noise. */
  minVotePx: number;
  /** From this side on, size no longer lowers the weight. */
  fullWeightPx: number;
  /** Laplacian variance of the face resampled to 64×64 grey, below which the face is too blurred to vote. */
  minSharpness: number;
  /** |nose offset from the eyes' midpoint| / eye distance above which the face is turned too far to vote. */
  maxYaw: number;
}

/**
 * Fitted by eye on ../shared/footage and ../shared/faces with `npm run bench -- accuracy` (2026-12): the embedded
 * embedder's same-person distances grow quickly below ~24 px faces (LFW's are ~100 px); a side-on face (yaw
 * above 0.6, nose near one eye) is matched to strangers as often as to the person.
 */
export const DEFAULT_FACE_QUALITY: FaceQualityThresholds = { minVotePx: 24, fullWeightPx: 64, minSharpness: 15, maxYaw: 0.6 };

const SAMPLE = 64;

/** Size, sharpness and pose of one detected face; cheap (a 64×64 resample of the box). */
export function assessFaceQuality(image: RgbImage, face: DetectedFace, thresholds: FaceQualityThresholds = DEFAULT_FACE_QUALITY): FaceQuality {
  const sizePx = Math.min(face.box.width, face.box.height);
  const sharpness = laplacianVariance(image, face);
  const yaw = yawRatio(face);
  const issues: QualityIssue[] = [];
  if (sizePx < thresholds.minVotePx) issues.push('small');
  if (sharpness < thresholds.minSharpness) issues.push('blurred');
  if (yaw > thresholds.maxYaw) issues.push('turned');
  const sizeWeight = Math.min(1, Math.max(0, (sizePx - thresholds.minVotePx / 2) / (thresholds.fullWeightPx - thresholds.minVotePx / 2)));
  const poseWeight = Math.max(0, 1 - yaw / (thresholds.maxYaw * 1.5));
  const sharpWeight = Math.min(1, sharpness / (thresholds.minSharpness * 4));
  return { weight: Math.max(0.05, sizeWeight * poseWeight * sharpWeight), votes: issues.length === 0, issues, sizePx, sharpness, yaw };
}

/** Yaw proxy from the 5 landmarks (eyes, nose): 0 frontal, about 1 when the nose sits under one eye. */
function yawRatio(face: DetectedFace): number {
  const [leftEye, rightEye, nose] = face.landmarks;
  if (!leftEye || !rightEye || !nose) return 0;
  const eyeDistance = Math.hypot(rightEye[0] - leftEye[0], rightEye[1] - leftEye[1]);
  if (eyeDistance < 1e-6) return 1;
  const midX = (leftEye[0] + rightEye[0]) / 2;
  return Math.abs(nose[0] - midX) / eyeDistance;
}

/** Variance of the 4-neighbour Laplacian over the face box resampled (nearest) to 64×64 grey. */
function laplacianVariance(image: RgbImage, face: DetectedFace): number {
  const { x, y, width, height } = face.box;
  const grey = new Float32Array(SAMPLE * SAMPLE);
  for (let j = 0; j < SAMPLE; j++) {
    const sy = Math.min(image.height - 1, Math.max(0, Math.floor(y + ((j + 0.5) * height) / SAMPLE)));
    for (let i = 0; i < SAMPLE; i++) {
      const sx = Math.min(image.width - 1, Math.max(0, Math.floor(x + ((i + 0.5) * width) / SAMPLE)));
      const p = (sy * image.width + sx) * 3;
      grey[j * SAMPLE + i] = 0.299 * image.data[p]! + 0.587 * image.data[p + 1]! + 0.114 * image.data[p + 2]!;
    }
  }
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let j = 1; j < SAMPLE - 1; j++) {
    for (let i = 1; i < SAMPLE - 1; i++) {
      const c = j * SAMPLE + i;
      const lap = grey[c - 1]! + grey[c + 1]! + grey[c - SAMPLE]! + grey[c + SAMPLE]! - 4 * grey[c]!;
      sum += lap;
      sumSq += lap * lap;
      n += 1;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
