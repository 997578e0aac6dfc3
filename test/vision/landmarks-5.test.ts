import { describe, expect, it } from 'vitest';
import { fivePointsFrom68 } from '../../src/vision/landmarks-5.js';
import type { Point } from '../../src/vision/types.js';

describe('fivePointsFrom68', () => {
  it('averages the eyelid points, takes the nose tip and averages outer and inner mouth corners (iBUG indices)', () => {
    const points = Array.from({ length: 68 }, (_, i): Point => [i, 1000 + 2 * i]);
    const [leftEye, rightEye, nose, leftMouth, rightMouth] = fivePointsFrom68(points);
    expect(leftEye).toEqual([(37 + 38 + 40 + 41) / 4, 1000 + (2 * (37 + 38 + 40 + 41)) / 4]);
    expect(rightEye).toEqual([(43 + 44 + 46 + 47) / 4, 1000 + (2 * (43 + 44 + 46 + 47)) / 4]);
    expect(nose).toEqual([30, 1060]);
    expect(leftMouth).toEqual([54, 1108]);
    expect(rightMouth).toEqual([59, 1118]);
  });

  it('rejects any other number of points', () => {
    expect(() => fivePointsFrom68([[0, 0]])).toThrow(/68/);
  });
});
