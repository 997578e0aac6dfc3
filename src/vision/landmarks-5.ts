import type { Point } from './types.js';

/**
 * 68 iBUG points → the 5 points the ArcFace template uses, as the embedded models' own library does
 * (`convert68pts5pts`): eye centres from the four eyelid points, the nose tip, and each mouth corner
 * averaged with the inner-lip corner.
 */
export function fivePointsFrom68(points: readonly Point[]): Point[] {
  if (points.length !== 68) throw new Error(`expected 68 landmarks, got ${points.length}`);
  const mean = (...indices: number[]): Point => {
    let x = 0;
    let y = 0;
    for (const index of indices) {
      const point = points[index]!;
      x += point[0];
      y += point[1];
    }
    return [x / indices.length, y / indices.length];
  };
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), mean(30), mean(48, 60), mean(54, 64)];
}
