import { describe, expect, it } from 'vitest';
import { iou, nonMaxSuppression } from '../../src/vision/nms.js';

const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint or touching ones', () => {
    expect(iou(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(iou(box(0, 0, 10, 10), box(20, 20, 5, 5))).toBe(0);
    expect(iou(box(0, 0, 10, 10), box(10, 0, 10, 10))).toBe(0);
  });

  it('is intersection over union for partial overlap', () => {
    // 5×10 overlap = 50; union = 100 + 100 − 50.
    expect(iou(box(0, 0, 10, 10), box(5, 0, 10, 10))).toBeCloseTo(50 / 150, 10);
  });

  it('treats empty boxes as overlapping nothing', () => {
    expect(iou(box(0, 0, 0, 10), box(0, 0, 10, 10))).toBe(0);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the highest-scoring box of an overlapping pair and every separate box', () => {
    const faces = [
      { box: box(0, 0, 100, 100), score: 0.8, id: 'a' },
      { box: box(5, 5, 100, 100), score: 0.95, id: 'b' },
      { box: box(300, 0, 50, 50), score: 0.7, id: 'c' },
    ];
    expect(nonMaxSuppression(faces, 0.4).map((face) => face.id)).toEqual(['b', 'c']);
  });

  it('keeps boxes whose overlap is under the threshold', () => {
    const faces = [
      { box: box(0, 0, 10, 10), score: 0.9 },
      { box: box(7, 0, 10, 10), score: 0.8 }, // IoU 30/170 ≈ 0.18
    ];
    expect(nonMaxSuppression(faces, 0.4)).toHaveLength(2);
    expect(nonMaxSuppression(faces, 0.1)).toHaveLength(1);
  });

  it('sorts by score, not by position (the models library sorted by y2)', () => {
    const faces = [
      { box: box(0, 0, 10, 10), score: 0.7 },
      { box: box(0, 1, 10, 10), score: 0.99 },
    ];
    expect(nonMaxSuppression(faces, 0.4)).toEqual([faces[1]]);
  });
});
