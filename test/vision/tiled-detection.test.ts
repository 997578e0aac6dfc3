import { describe, expect, it } from 'vitest';
import { suppressContained } from '../../src/vision/tiled-detection.js';

const face = (x: number, y: number, size: number, score: number) => ({ box: { x, y, width: size, height: size }, score });

describe('suppressContained', () => {
  it('drops a small box lying inside a bigger face that scores at least as high (an eye, glasses)', () => {
    const big = face(0, 0, 400, 1);
    const part = face(50, 60, 150, 0.98);
    expect(suppressContained([big, part], 0.6)).toEqual([big]);
  });

  it('keeps a small face that is more confident than the box around it, and one only partly inside', () => {
    const big = face(0, 0, 400, 0.9);
    const inner = face(50, 60, 150, 0.99);
    const edge = face(350, 100, 150, 0.8); // a third inside
    expect(suppressContained([big, inner, edge], 0.6)).toEqual([big, inner, edge]);
  });
});
