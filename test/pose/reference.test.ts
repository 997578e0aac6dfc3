import { describe, expect, it } from 'vitest';
import { bodyReferenceOf, combineMeasurements, medianRatio } from '../../src/pose/index.js';

describe('body references', () => {
  it('are the median of the photos that gave a ratio', () => {
    expect(medianRatio([1.6, 1.4, 1.5])).toBe(1.5);
    expect(medianRatio([1.4, 1.6])).toBeCloseTo(1.5);
    expect(medianRatio([])).toBeUndefined();
    expect(bodyReferenceOf([1.5, 3.9, 1.45])).toEqual({ shoulderHipRatio: 1.5, photoCount: 3 });
    expect(bodyReferenceOf([])).toBeUndefined();
  });

  it('combine a scene person’s frames into their median, or the commonest reason when none measured', () => {
    expect(combineMeasurements([{ kind: 'measured', shoulderHipRatio: 1.4 }, undefined, { kind: 'none', reason: 'LOW_CONFIDENCE' }, { kind: 'measured', shoulderHipRatio: 1.6 }])).toEqual({
      kind: 'measured',
      shoulderHipRatio: 1.5,
    });
    expect(combineMeasurements([{ kind: 'none', reason: 'BODY_OUT_OF_FRAME' }, { kind: 'none', reason: 'LOW_CONFIDENCE' }, { kind: 'none', reason: 'BODY_OUT_OF_FRAME' }])).toEqual({
      kind: 'none',
      reason: 'BODY_OUT_OF_FRAME',
    });
    expect(combineMeasurements([undefined, undefined])).toBeUndefined();
  });
});
