import type { BodyMeasurement, Keypoint } from './types.js';

/** COCO keypoint order as MoveNet outputs it. */
export const KEYPOINT = { leftShoulder: 5, rightShoulder: 6, leftHip: 11, rightHip: 12 } as const;

export const SHOULDER_HIP_RULES = {
  /** Each of the four keypoints needs at least this MoveNet score; waist-cut portraits give hips below 0.3. */
  minKeypointScore: 0.5,
  /** A hip this close to the crop's edge (fraction of its side) may be cut off: its width is not trusted. */
  edgeMargin: 0.03,
  /** Hips narrower than this share of the crop's width are a side view or a bad fit; the ratio would explode. */
  minHipWidthShare: 0.04,
} as const;

/**
 * Shoulder width / hip width from one person's keypoints, in crop pixels (so the ratio keeps the aspect).
 * `clippedBottom`: the crop was cut by the image, so hips near its bottom edge may be outside the picture.
 */
export function shoulderHipRatio(keypoints: readonly Keypoint[], crop: { width: number; height: number; clippedBottom: boolean }): BodyMeasurement {
  const ls = keypoints[KEYPOINT.leftShoulder];
  const rs = keypoints[KEYPOINT.rightShoulder];
  const lh = keypoints[KEYPOINT.leftHip];
  const rh = keypoints[KEYPOINT.rightHip];
  if (!ls || !rs || !lh || !rh) return { kind: 'none', reason: 'LOW_CONFIDENCE' };
  if ([ls, rs, lh, rh].some((point) => !(point.score >= SHOULDER_HIP_RULES.minKeypointScore))) return { kind: 'none', reason: 'LOW_CONFIDENCE' };
  const marginX = SHOULDER_HIP_RULES.edgeMargin * crop.width;
  const marginY = SHOULDER_HIP_RULES.edgeMargin * crop.height;
  const atEdge = (point: Keypoint) =>
    point.x < marginX || point.x > crop.width - marginX || point.y > crop.height - marginY || (crop.clippedBottom && point.y > crop.height - 2 * marginY);
  if (atEdge(lh) || atEdge(rh)) return { kind: 'none', reason: 'HIPS_AT_CROP_EDGE' };
  const shoulders = Math.hypot(ls.x - rs.x, ls.y - rs.y);
  const hips = Math.hypot(lh.x - rh.x, lh.y - rh.y);
  if (hips < SHOULDER_HIP_RULES.minHipWidthShare * crop.width || shoulders === 0) return { kind: 'none', reason: 'DEGENERATE_POSE' };
  return { kind: 'measured', shoulderHipRatio: shoulders / hips };
}
