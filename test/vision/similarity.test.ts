import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, applyAffine, estimateSimilarity, invertAffine, type Affine } from '../../src/vision/similarity.js';
import type { Point } from '../../src/vision/types.js';

function similarity(scale: number, angle: number, tx: number, ty: number): Affine {
  const c = scale * Math.cos(angle);
  const s = scale * Math.sin(angle);
  return [c, -s, tx, s, c, ty];
}

describe('estimateSimilarity (Umeyama)', () => {
  it('recovers an exact rotation + scale + translation from 5 points', () => {
    const truth = similarity(0.37, 0.3, 12.5, -40);
    const from: Point[] = [[100, 120], [180, 118], [140, 160], [110, 200], [170, 199]];
    const to = from.map((point) => applyAffine(truth, point));
    const estimate = estimateSimilarity(from, to);
    estimate.forEach((value, i) => expect(value).toBeCloseTo(truth[i]!, 9));
  });

  it('maps a face’s landmarks onto the ArcFace template when they are a scaled, shifted copy of it', () => {
    const from = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x * 3 + 400, y * 3 + 250]);
    const matrix = estimateSimilarity(from, ARCFACE_TEMPLATE_112);
    from.forEach((point, i) => {
      const [x, y] = applyAffine(matrix, point);
      expect(x).toBeCloseTo(ARCFACE_TEMPLATE_112[i]![0], 6);
      expect(y).toBeCloseTo(ARCFACE_TEMPLATE_112[i]![1], 6);
    });
  });

  it('is the least-squares fit for noisy points (residual is smaller than any perturbed transform)', () => {
    const truth = similarity(2, -0.2, 5, 7);
    const from: Point[] = [[0, 0], [10, 0], [5, 6], [1, 11], [9, 12]];
    const noise = [[0.3, -0.2], [-0.4, 0.1], [0.2, 0.5], [-0.1, -0.3], [0.25, 0.05]];
    const to = from.map((point, i): Point => {
      const [x, y] = applyAffine(truth, point);
      return [x + noise[i]![0]!, y + noise[i]![1]!];
    });
    const residual = (m: Affine) => from.reduce((sum, point, i) => {
      const [x, y] = applyAffine(m, point);
      return sum + (x - to[i]![0]) ** 2 + (y - to[i]![1]) ** 2;
    }, 0);
    const best = estimateSimilarity(from, to);
    const [a, b, tx, , , ty] = best;
    for (const [da, db, dtx, dty] of [[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.1, 0], [0, 0, 0, 0.1], [-0.01, 0, 0, 0]]) {
      const perturbed: Affine = [a + da!, b + db!, tx + dtx!, -(b + db!), a + da!, ty + dty!];
      expect(residual(perturbed)).toBeGreaterThan(residual(best));
    }
  });

  it('never reflects: mirrored landmarks give a rotation, not a flip', () => {
    const mirrored = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [112 - x, y]);
    const [a, b, , c, d] = estimateSimilarity(mirrored, ARCFACE_TEMPLATE_112);
    expect(a * d - b * c).toBeGreaterThan(0);
  });

  it('rejects coincident source points', () => {
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/coincide/);
  });
});

describe('invertAffine', () => {
  it('undoes the transform', () => {
    const matrix = similarity(1.7, 1.1, -3, 9);
    const [x, y] = applyAffine(invertAffine(matrix), applyAffine(matrix, [13, -4]));
    expect(x).toBeCloseTo(13, 9);
    expect(y).toBeCloseTo(-4, 9);
  });
});
