import { normalQuantile } from './normal-quantile.js';

/**
 * How a profile's distances behave, fitted on development data. Provenance of every number is the
 * profile's constant below; `npm run bench -- accuracy` refits them and prints the fit beside the shipped ones.
 */
export interface MatchCalibration {
  /**
   * A normal distribution fitted (probit regression) to the LOWER tail of the impostor distances, the distances
   * between faces of different people, from quantile 1e-5 to 1e-2. Only the tail matters: it decides how close
   * a stranger's nearest face comes.
   */
  impostorTail: { mean: number; sd: number };
  /**
   * Logistic model of "the named performer is right": logit = intercept + belowThreshold·z + margin·m +
   * agreeingFrames·f, with z = (threshold(N) − distance) / sd, m = min(margin to the next performer,
   * marginCap) / sd, f = ln(min(agreeing frames, framesCap)) (0 for one photo).
   */
  logistic: { intercept: number; belowThreshold: number; margin: number; agreeingFrames: number };
  marginCap: number;
  /** Agreeing frames beyond this add nothing: the fit saw no more, and a video's frames are not independent. */
  framesCap: number;
}

/**
 * The share of unknown faces (people not in the database) allowed to come back with a name, whatever the
 * database's size. Issue-16 target: FPIR ≤ 1 %.
 */
export const FALSE_MATCH_RATE = 0.01;

/** The smallest database size the threshold is computed for: below it the threshold stops growing. */
const MIN_DATABASE_FACES = 10;

/**
 * The embedded profile (faceplugin fr_feature, 512-d, flip-averaged), fitted on ../shared/lfw-dev
 * (1.58 M impostor pairs; 917 known and 300 unknown probes at gallery sizes 100 / 1,000 / 1,300 plus 2–5
 * photo templates) by `npm run bench -- accuracy`, 2026-12.
 */
export const EMBEDDED_CALIBRATION: MatchCalibration = {
  impostorTail: { mean: 1.023, sd: 0.117 },
  // The frames coefficient came out below 0 and is held at 0 (bench/accuracy/fit.ts): a template's distance
  // already carries what its frames agree on.
  logistic: { intercept: 0.025, belowThreshold: 3.893, margin: 0.646, agreeingFrames: 0 },
  marginCap: 0.3,
  framesCap: 5,
};

/**
 * A face (or scene person) is named only at this confidence or above. Fitted on lfw-dev with
 * `npm run bench -- accuracy` (2026-12): the lowest level that kept FPIR ≤ 1 % at 1,000 and 1,300 enrolled people
 * while DIR stayed ≥ 0.90 (0.5 let 1.6 % of unknown probes through at 1,000).
 */
export const NAME_CONFIDENCE = 0.6;

/**
 * The largest distance at which a face may be named in a database of `databaseFaces` faces: the distance
 * t(N) that the nearest of N impostor faces undercuts with probability FALSE_MATCH_RATE, i.e.
 * 1 − (1 − F(t))^N = α, so F(t) = 1 − (1 − α)^(1/N), read from the fitted normal tail. Faces, not performers,
 * are counted: each enrolled face is one more chance for a stranger to come close, so this is the cautious side.
 * The tail is fitted down to F = 1e-5 and extrapolated below it (N above ~1,000 faces).
 */
export function openSetThreshold(calibration: MatchCalibration, databaseFaces: number, falseMatchRate = FALSE_MATCH_RATE): number {
  const n = Math.max(MIN_DATABASE_FACES, databaseFaces);
  // −expm1(log1p(−α)/N) is 1 − (1 − α)^(1/N) without the cancellation that a plain power loses at N = 10⁵.
  const perFace = -Math.expm1(Math.log1p(-falseMatchRate) / n);
  const { mean, sd } = calibration.impostorTail;
  return mean + sd * normalQuantile(perFace);
}

/**
 * The largest distance at which `matchConfidence` can still reach `minConfidence` (with the best margin and
 * frames the model credits): the search limit, so no candidate that could be named is cut before scoring.
 */
export function candidateDistanceLimit(calibration: MatchCalibration, databaseFaces: number, minConfidence = NAME_CONFIDENCE): number {
  const { logistic, impostorTail, marginCap, framesCap } = calibration;
  const best = logistic.intercept + logistic.margin * (marginCap / impostorTail.sd) + Math.max(0, logistic.agreeingFrames) * Math.log(framesCap);
  const needed = Math.log(minConfidence / (1 - minConfidence));
  return openSetThreshold(calibration, databaseFaces) + (impostorTail.sd * (best - needed)) / logistic.belowThreshold;
}

/** What is known about one candidate for one face, or for one scene person's template. */
export interface MatchEvidence {
  /** Cosine distance (fused over models) to the performer's closest enrolled face, or the person's template's. */
  distance: number;
  /** The next different performer's distance minus this one's (negative when another is closer); Infinity if none. */
  margin: number;
  /** Distinct good-quality frames whose own best match is this performer; 1 for a single photo. */
  agreeingFrames: number;
  /** Enrolled faces in the database. */
  databaseFaces: number;
}

/**
 * The probability that the named performer is right, from the fitted logistic model. This is the one place
 * confidence is computed, so that another signal (e.g. a body match) can scale it afterwards.
 */
export function matchConfidence(calibration: MatchCalibration, evidence: MatchEvidence): number {
  const { logistic, impostorTail, marginCap, framesCap } = calibration;
  const z = (openSetThreshold(calibration, evidence.databaseFaces) - evidence.distance) / impostorTail.sd;
  const m = Math.min(evidence.margin, marginCap) / impostorTail.sd;
  const f = Math.log(Math.min(Math.max(evidence.agreeingFrames, 1), framesCap));
  const logit = logistic.intercept + logistic.belowThreshold * z + logistic.margin * m + logistic.agreeingFrames * f;
  return 1 / (1 + Math.exp(-logit));
}

/** The calibration of a model profile; undefined when none was fitted (then a fixed distance and a linear confidence apply). */
export function calibrationFor(profile: string): MatchCalibration | undefined {
  return profile === 'embedded' ? EMBEDDED_CALIBRATION : undefined;
}
