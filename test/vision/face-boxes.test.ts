import { describe, expect, it } from 'vitest';
import { clampBox, pickPrimaryFace, squareByHeight } from '../../src/vision/face-boxes.js';
import type { DetectedFace } from '../../src/vision/types.js';

const face = (size: number, score: number, x = 0): DetectedFace => ({ box: { x, y: 0, width: size, height: size }, score, landmarks: [] });

describe('squareByHeight', () => {
  it('makes a square of the box height centred on the box', () => {
    expect(squareByHeight({ x: 100, y: 50, width: 80, height: 100 }, 1000, 1000)).toEqual({ x: 90, y: 50, width: 100, height: 100 });
  });

  it('clamps the square to the image', () => {
    expect(squareByHeight({ x: 0, y: 10, width: 40, height: 100 }, 1000, 80)).toEqual({ x: 0, y: 10, width: 70, height: 70 });
  });
});

describe('clampBox', () => {
  it('cuts the parts outside the image', () => {
    expect(clampBox({ x: -10, y: -5, width: 30, height: 30 }, 15, 100)).toEqual({ x: 0, y: 0, width: 15, height: 25 });
  });
});

describe('pickPrimaryFace', () => {
  it('takes the largest face among those within 0.02 of the best score', () => {
    expect(pickPrimaryFace([face(100, 1.0), face(140, 0.985, 200), face(300, 0.9, 400)])).toEqual(face(140, 0.985, 200));
  });

  it('does not take a bigger but less confident face (a blurred background person)', () => {
    expect(pickPrimaryFace([face(100, 1.0), face(105, 0.962, 200)])).toEqual(face(100, 1.0));
  });

  it('returns undefined for no faces', () => {
    expect(pickPrimaryFace([])).toBeUndefined();
  });
});
