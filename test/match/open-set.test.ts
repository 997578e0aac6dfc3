import { describe, expect, it } from 'vitest';
import {
  EMBEDDED_CALIBRATION,
  FALSE_MATCH_RATE,
  NAME_CONFIDENCE,
  createMatchPolicy,
  matchConfidence,
  normalQuantile,
  openSetThreshold,
  rankFaceCandidates,
} from '../../src/match/index.js';
import { erfc } from '../../src/match/normal-quantile.js';

const policy = createMatchPolicy({ calibration: EMBEDDED_CALIBRATION, explicitMaxDistance: null, fallbackDistance: 0.6 });

/** One face's search result: the closest enrolled face at `closest`, everyone else at ordinary stranger distances. */
function hits(closest: number, others = [0.85, 0.9, 0.95, 1.0]) {
  return [closest, ...others].map((distance, i) => ({ faceId: i, performerId: `p${i}`, distance }));
}

function named(closest: number, databaseFaces: number) {
  return rankFaceCandidates(
    { embedded: hits(closest) },
    {
      maxDistance: policy.maxDistance(databaseFaces),
      topK: 5,
      minConfidence: policy.minConfidence,
      confidence: ({ distance, margin }) => policy.confidence({ distance, margin, agreeingFrames: 1, databaseFaces }),
    },
  );
}

describe('the open-set decision', () => {
  it('inverts the normal distribution', () => {
    for (const p of [1e-9, 1e-5, 0.01, 0.3, 0.5, 0.9]) expect(0.5 * erfc(-normalQuantile(p) / Math.SQRT2)).toBeCloseTo(p, 6);
  });

  it('keeps the chance that any of N impostor faces comes within the limit at the target rate, for every N', () => {
    const { mean, sd } = EMBEDDED_CALIBRATION.impostorTail;
    for (const faces of [100, 1000, 10_000, 100_000]) {
      const t = openSetThreshold(EMBEDDED_CALIBRATION, faces);
      const perFace = 0.5 * erfc(-((t - mean) / sd) / Math.SQRT2);
      expect(1 - (1 - perFace) ** faces).toBeCloseTo(FALSE_MATCH_RATE, 4);
    }
    expect(openSetThreshold(EMBEDDED_CALIBRATION, 100_000)).toBeLessThan(openSetThreshold(EMBEDDED_CALIBRATION, 100));
  });

  it('does not name a stranger close to one enrolled face in a large database, and still names a true match', () => {
    // 0.5 from one enrolled face: in 100 faces that is unusually close for a stranger, in 100,000 it is not.
    expect(named(0.5, 100).map((c) => c.performerId)).toEqual(['p0']);
    expect(named(0.5, 100_000)).toEqual([]);
    const genuine = named(0.25, 100_000);
    expect(genuine.map((c) => c.performerId)).toEqual(['p0']);
    expect(genuine[0]!.confidence).toBeGreaterThan(0.95);
  });

  it('is less sure with a closer runner-up, a farther face, or a bigger database', () => {
    const at = (distance: number, margin: number, databaseFaces: number) => matchConfidence(EMBEDDED_CALIBRATION, { distance, margin, agreeingFrames: 1, databaseFaces });
    expect(at(0.45, 0.02, 1000)).toBeLessThan(at(0.45, 0.3, 1000));
    expect(at(0.5, 0.3, 1000)).toBeLessThan(at(0.4, 0.3, 1000));
    expect(at(0.45, 0.3, 100_000)).toBeLessThan(at(0.45, 0.3, 1000));
    expect(at(0.45, Infinity, 1000)).toBe(at(0.45, EMBEDDED_CALIBRATION.marginCap, 1000));
  });

  it('lets an explicit MATCH_MAX_DISTANCE decide alone, whatever the database size', () => {
    const fixed = createMatchPolicy({ calibration: EMBEDDED_CALIBRATION, explicitMaxDistance: 0.6, fallbackDistance: 0.6 });
    expect(fixed.maxDistance(100)).toBe(0.6);
    expect(fixed.maxDistance(100_000)).toBe(0.6);
    expect(fixed.minConfidence).toBe(0);
    expect(policy.minConfidence).toBe(NAME_CONFIDENCE);
    // Confidence stays the calibrated probability either way.
    expect(fixed.confidence({ distance: 0.3, margin: 0.3, agreeingFrames: 1, databaseFaces: 1000 })).toBe(
      policy.confidence({ distance: 0.3, margin: 0.3, agreeingFrames: 1, databaseFaces: 1000 }),
    );
  });

  it('keeps the fixed distance and linear score for a profile without a fitted calibration', () => {
    const uncalibrated = createMatchPolicy({ calibration: undefined, explicitMaxDistance: null, fallbackDistance: 0.5 });
    expect(uncalibrated.maxDistance(100_000)).toBe(0.5);
    expect(uncalibrated.confidence({ distance: 0.5, margin: 0, agreeingFrames: 1, databaseFaces: 10 })).toBeCloseTo(0.5);
  });
});
