import { NAME_CONFIDENCE, calibrationFor, candidateDistanceLimit, matchConfidence, type MatchCalibration, type MatchEvidence } from './open-set.js';
import { distanceToConfidence } from './rank-candidates.js';

/** The open-set decision and the confidence of a profile, with the user's explicit distance when there is one. */
export interface MatchPolicy {
  /** The largest distance a candidate may have in a database of this many faces. */
  maxDistance(databaseFaces: number): number;
  /** The probability that the named performer is right. */
  confidence(evidence: MatchEvidence): number;
  /** A candidate below this confidence is not named (0 when a fixed distance decides alone). */
  readonly minConfidence: number;
}

/**
 * With a fitted calibration a face is named when its calibrated confidence reaches NAME_CONFIDENCE; that
 * confidence already falls with the database's size (open-set.ts). When the user sets MATCH_MAX_DISTANCE, that
 * fixed distance decides alone, as before; confidence stays the fitted probability either way. Without a
 * calibration, `fallbackDistance` is the fixed limit and confidence the linear score of old.
 */
export function createMatchPolicy(options: { calibration: MatchCalibration | undefined; explicitMaxDistance: number | null; fallbackDistance: number }): MatchPolicy {
  const { calibration, explicitMaxDistance, fallbackDistance } = options;
  if (!calibration) {
    const limit = explicitMaxDistance ?? fallbackDistance;
    return { maxDistance: () => limit, confidence: (evidence) => distanceToConfidence(evidence.distance, limit), minConfidence: 0 };
  }
  return {
    maxDistance: (databaseFaces) => explicitMaxDistance ?? candidateDistanceLimit(calibration, databaseFaces),
    confidence: (evidence) => matchConfidence(calibration, evidence),
    minConfidence: explicitMaxDistance === null ? NAME_CONFIDENCE : 0,
  };
}

/** The policy for a model profile (its fitted calibration, if any). */
export function matchPolicyFor(profile: string, explicitMaxDistance: number | null, fallbackDistance: number): MatchPolicy {
  return createMatchPolicy({ calibration: calibrationFor(profile), explicitMaxDistance, fallbackDistance });
}
