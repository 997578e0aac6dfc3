import type { BodyReference } from './reference.js';
import type { BodyMeasurement, NoBodySignalReason } from './types.js';

/**
 * How much the body signal may move a candidate. Measured with MoveNet on the shared photos (feasibility
 * study, bench/body.bench.ts): one person's shoulder/hip ratio varies by about 0.1 (SD) across photos, about as
 * much as it varies between people, so the signal can only ever nudge.
 */
export const BODY_ADJUST = {
  /** Differences up to this are one person's own spread (1.5 SD): no penalty. */
  toleratedDifference: 0.15,
  /** From this difference (3.5 SD) the full penalty applies; in between it grows linearly. */
  fullPenaltyDifference: 0.35,
  /** The lowest multiplier. It only ever lowers a candidate, so it can never push one past an auto-apply level. */
  minMultiplier: 0.9,
  /**
   * A face-only best match at or above this confidence is left alone: tag-back's default auto-apply level
   * (src/tagback/batch.ts, 0.75), so a match the sidecar would write by itself is never renamed by the body.
   */
  confidentMatch: 0.75,
} as const;

export type BodyPolicy = typeof BODY_ADJUST;

/** Why the body signal did not change a result. */
export type BodySkipReason = NoBodySignalReason | 'NO_REFERENCE' | 'CONFIDENT_FACE_MATCH' | 'NO_CANDIDATES' | 'NOT_MEASURED';

/** What the body signal did for one face or scene person; shown in the result. */
export interface BodyEffect {
  /** True when multipliers were applied (both sides had a ratio, and the call was close enough to adjust). */
  used: boolean;
  /** This person's measured ratio, when there was one. */
  shoulderHipRatio: number | null;
  reason: BodySkipReason | null;
  /** The best match changed because of the body signal. */
  changedBestMatch: boolean;
}

/**
 * The multiplier for one candidate: 1.0 when either side has no ratio, else between `minMultiplier` and 1.0,
 * lower the further the two ratios lie apart.
 */
export function bodyMultiplier(query: number | undefined, reference: number | undefined, policy: BodyPolicy = BODY_ADJUST): number {
  if (query === undefined || reference === undefined || !Number.isFinite(query) || !Number.isFinite(reference)) return 1;
  const difference = Math.abs(query - reference);
  if (difference <= policy.toleratedDifference) return 1;
  const share = Math.min(1, (difference - policy.toleratedDifference) / (policy.fullPenaltyDifference - policy.toleratedDifference));
  return 1 - share * (1 - policy.minMultiplier);
}

export interface BodyAdjustOptions {
  policy?: BodyPolicy;
  /**
   * Whether a candidate may become the best match; scenes use it so that a performer who is already another
   * person's best match is not made this person's too.
   */
  mayLead?: (performerId: string) => boolean;
}

/**
 * Applies the body signal to one face's (or person's) candidates, best first in and out. Only a close call
 * is adjusted: a confident face-only best match keeps its place and its confidence. Pure.
 */
export function adjustForBody<T extends { performerId: string; confidence: number }>(
  candidates: readonly T[],
  measurement: BodyMeasurement | undefined,
  references: ReadonlyMap<string, BodyReference>,
  options: BodyAdjustOptions = {},
): { candidates: (T & { bodyMultiplier: number })[]; effect: BodyEffect } {
  const policy = options.policy ?? BODY_ADJUST;
  const unchanged = (reason: BodySkipReason, ratio: number | null) => ({
    candidates: candidates.map((candidate) => ({ ...candidate, bodyMultiplier: 1 })),
    effect: { used: false, shoulderHipRatio: ratio, reason, changedBestMatch: false },
  });
  const ratio = measurement?.kind === 'measured' ? measurement.shoulderHipRatio : null;
  const best = candidates[0];
  if (!best) return unchanged('NO_CANDIDATES', ratio);
  if (best.confidence >= policy.confidentMatch) return unchanged('CONFIDENT_FACE_MATCH', ratio);
  if (!candidates.some((candidate) => references.has(candidate.performerId))) return unchanged('NO_REFERENCE', ratio);
  if (!measurement) return unchanged('NOT_MEASURED', null);
  if (measurement.kind === 'none') return unchanged(measurement.reason, null);
  const measuredRatio = measurement.shoulderHipRatio;

  const adjusted = candidates.map((candidate, order) => {
    const multiplier = bodyMultiplier(measuredRatio, references.get(candidate.performerId)?.shoulderHipRatio, policy);
    return { candidate: { ...candidate, confidence: candidate.confidence * multiplier, bodyMultiplier: multiplier }, order };
  });
  const mayLead = options.mayLead ?? (() => true);
  adjusted.sort((a, b) => b.candidate.confidence - a.candidate.confidence || a.order - b.order);
  // The old best match keeps the lead over anyone who may not take it.
  const leader = adjusted.findIndex((item) => item.order === 0 || mayLead(item.candidate.performerId));
  if (leader > 0) adjusted.unshift(...adjusted.splice(leader, 1));
  const ordered = adjusted.map((item) => item.candidate);
  return {
    candidates: ordered,
    effect: { used: true, shoulderHipRatio: measuredRatio, reason: null, changedBestMatch: ordered[0]!.performerId !== best.performerId },
  };
}
