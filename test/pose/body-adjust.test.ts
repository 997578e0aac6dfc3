import { describe, expect, it } from 'vitest';
import { BODY_ADJUST, adjustForBody, bodyMultiplier, type BodyReference } from '../../src/pose/index.js';

const refs = (entries: Record<string, number>): Map<string, BodyReference> =>
  new Map(Object.entries(entries).map(([id, ratio]) => [id, { shoulderHipRatio: ratio, photoCount: 3 }]));
const measured = (ratio: number) => ({ kind: 'measured' as const, shoulderHipRatio: ratio });

describe('bodyMultiplier', () => {
  it('is exactly 1 when either side has no ratio', () => {
    expect(bodyMultiplier(undefined, 1.5)).toBe(1);
    expect(bodyMultiplier(1.5, undefined)).toBe(1);
    expect(bodyMultiplier(undefined, undefined)).toBe(1);
    expect(bodyMultiplier(Number.NaN, 1.5)).toBe(1);
  });

  it('stays between the lowest multiplier and 1 for any pair of ratios, and never raises a candidate', () => {
    for (let query = 0.5; query <= 3; query += 0.05) {
      for (let reference = 0.5; reference <= 3; reference += 0.05) {
        const multiplier = bodyMultiplier(query, reference);
        expect(multiplier).toBeGreaterThanOrEqual(BODY_ADJUST.minMultiplier);
        expect(multiplier).toBeLessThanOrEqual(1);
      }
    }
  });

  it('leaves one person’s own spread alone and gives the full penalty to far-apart ratios', () => {
    expect(bodyMultiplier(1.5, 1.6)).toBe(1);
    expect(bodyMultiplier(1.5, 1.75)).toBeCloseTo(0.95);
    expect(bodyMultiplier(1.5, 2.2)).toBeCloseTo(BODY_ADJUST.minMultiplier);
    expect(bodyMultiplier(1.5, 1.75)).toBe(bodyMultiplier(1.75, 1.5));
  });
});

describe('adjustForBody', () => {
  const close = [
    { performerId: 'a', confidence: 0.6 },
    { performerId: 'b', confidence: 0.58 },
  ];

  it('changes nothing when the person gave no signal or no candidate has a reference', () => {
    const none = adjustForBody(close, { kind: 'none', reason: 'LOW_CONFIDENCE' }, refs({ a: 2.2, b: 1.5 }));
    expect(none.candidates).toEqual(close.map((c) => ({ ...c, bodyMultiplier: 1 })));
    expect(none.effect).toEqual({ used: false, shoulderHipRatio: null, reason: 'LOW_CONFIDENCE', changedBestMatch: false });
    const noRefs = adjustForBody(close, measured(1.5), refs({}));
    expect(noRefs.candidates.map((c) => c.confidence)).toEqual([0.6, 0.58]);
    expect(noRefs.effect).toMatchObject({ used: false, shoulderHipRatio: 1.5, reason: 'NO_REFERENCE' });
  });

  it('can swap a close call when the body clearly disagrees with the face’s first choice', () => {
    const result = adjustForBody(close, measured(1.5), refs({ a: 2.2, b: 1.52 }));
    expect(result.candidates.map((c) => c.performerId)).toEqual(['b', 'a']);
    expect(result.candidates[1]!.confidence).toBeCloseTo(0.6 * BODY_ADJUST.minMultiplier);
    expect(result.candidates[0]!.confidence).toBe(0.58);
    expect(result.effect).toEqual({ used: true, shoulderHipRatio: 1.5, reason: null, changedBestMatch: true });
  });

  it('never turns a confident face match into another name', () => {
    const confident = [
      { performerId: 'a', confidence: BODY_ADJUST.confidentMatch },
      { performerId: 'b', confidence: BODY_ADJUST.confidentMatch - 0.01 },
    ];
    const result = adjustForBody(confident, measured(1.5), refs({ a: 2.5, b: 1.5 }));
    expect(result.candidates.map((c) => [c.performerId, c.confidence, c.bodyMultiplier])).toEqual([
      ['a', BODY_ADJUST.confidentMatch, 1],
      ['b', BODY_ADJUST.confidentMatch - 0.01, 1],
    ]);
    expect(result.effect).toMatchObject({ used: false, reason: 'CONFIDENT_FACE_MATCH', changedBestMatch: false });
  });

  it('cannot swap candidates whose face confidences are further apart than the largest penalty', () => {
    const apart = [
      { performerId: 'a', confidence: 0.6 },
      { performerId: 'b', confidence: 0.6 * BODY_ADJUST.minMultiplier - 0.001 },
    ];
    const result = adjustForBody(apart, measured(1.5), refs({ a: 3, b: 1.5 }));
    expect(result.candidates[0]!.performerId).toBe('a');
    expect(result.effect.changedBestMatch).toBe(false);
  });

  it('does not make a performer the best match when another person already holds them', () => {
    const result = adjustForBody(close, measured(1.5), refs({ a: 2.2, b: 1.52 }), { mayLead: (id) => id !== 'b' });
    expect(result.candidates[0]!.performerId).toBe('a');
    expect(result.effect.changedBestMatch).toBe(false);
  });
});
