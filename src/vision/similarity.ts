import type { Point } from './types.js';

/** Row-major 2×3 affine matrix [a, b, tx, c, d, ty]: x' = a·x + b·y + tx, y' = c·x + d·y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

/** The ArcFace 112×112 five-point template (eyes, nose, mouth corners). */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Least-squares similarity (rotation, uniform scale, translation) mapping `from` onto `to` — Umeyama's
 * estimator, which in 2-D has this closed form: with centred points, the rotation-scale block is
 * [[p, -q], [q, p]] where p = Σ(x·x' + y·y')/Σ|s|² and q = Σ(x·y' − y·x')/Σ|s|². It never reflects.
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new Error('estimateSimilarity needs two equal lists of at least 2 points');
  const n = from.length;
  let fromX = 0;
  let fromY = 0;
  let toX = 0;
  let toY = 0;
  for (let i = 0; i < n; i++) {
    fromX += from[i]![0];
    fromY += from[i]![1];
    toX += to[i]![0];
    toY += to[i]![1];
  }
  fromX /= n;
  fromY /= n;
  toX /= n;
  toY /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - fromX;
    const y = from[i]![1] - fromY;
    const u = to[i]![0] - toX;
    const v = to[i]![1] - toY;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new Error('estimateSimilarity: the source points coincide');
  const p = dot / norm;
  const q = cross / norm;
  return [p, -q, toX - (p * fromX - q * fromY), q, p, toY - (q * fromX + p * fromY)];
}

export function applyAffine(matrix: Affine, point: Point): Point {
  const [a, b, tx, c, d, ty] = matrix;
  return [a * point[0] + b * point[1] + tx, c * point[0] + d * point[1] + ty];
}

export function invertAffine(matrix: Affine): Affine {
  const [a, b, tx, c, d, ty] = matrix;
  const det = a * d - b * c;
  if (det === 0) throw new Error('invertAffine: the matrix is singular');
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}
