import type { FaceHit } from '../faces/index.js';

export interface RankOptions {
  /** The largest fused cosine distance still called a match. */
  maxDistance: number;
  topK: number;
  /** The probability that a candidate is right, from its distance and its margin to the next performer. */
  confidence: (evidence: { distance: number; margin: number }) => number;
  /** Candidates below this confidence are left out (0 keeps every one within maxDistance). */
  minConfidence?: number;
}

export interface RankedCandidate {
  performerId: string;
  /** Fused cosine distance, lower is closer. */
  distance: number;
  /** The next different performer's distance minus this one's (negative when another is closer); Infinity if none. */
  margin: number;
  confidence: number;
  /** Each model's distance to the performer's closest face; absent when the performer was not in that model's hits. */
  modelDistances: Record<string, number>;
}

/**
 * A side missing from one model's top-k counts as this distance when models are fused, as the Python
 * sidecar does: far enough to cost the candidate, not so far that one model alone cannot carry it.
 */
export const missingModelDistance = 0.5;

/**
 * Fuses one face's nearest faces per model into performers, best first. Each performer keeps its closest face
 * per model; models are averaged with equal weight.
 */
export function rankFaceCandidates(hitsByModel: Record<string, readonly FaceHit[]>, options: RankOptions): RankedCandidate[] {
  const models = Object.keys(hitsByModel);
  const closest = new Map<string, Record<string, number>>();
  for (const model of models) {
    for (const hit of hitsByModel[model] ?? []) {
      const perModel = closest.get(hit.performerId) ?? {};
      const known = perModel[model];
      if (known === undefined || hit.distance < known) perModel[model] = hit.distance;
      closest.set(hit.performerId, perModel);
    }
  }
  const fused = [...closest].map(([performerId, modelDistances]) => ({
    performerId,
    modelDistances,
    distance: models.reduce((sum, model) => sum + (modelDistances[model] ?? missingModelDistance), 0) / models.length,
  }));
  fused.sort((a, b) => a.distance - b.distance || a.performerId.localeCompare(b.performerId));
  const ranked: RankedCandidate[] = [];
  for (const [i, { performerId, modelDistances, distance }] of fused.entries()) {
    if (distance > options.maxDistance || ranked.length >= options.topK) break;
    // The margin is measured against every performer found, named or not: a near tie is doubt either way.
    const next = i === 0 ? fused[1]?.distance : fused[0]!.distance;
    const margin = next === undefined ? Infinity : next - distance;
    const confidence = options.confidence({ distance, margin });
    if (confidence < (options.minConfidence ?? 0)) continue;
    ranked.push({ performerId, distance, margin, confidence, modelDistances });
  }
  return ranked;
}

/**
 * Maps a cosine distance to 0–1 so that the threshold reads 0.5, an identical face 1, and twice the threshold 0.
 * Only for a profile without a fitted calibration (see match-policy.ts): it is a score, not a probability.
 */
export function distanceToConfidence(distance: number, calibratedDistance: number): number {
  return Math.min(1, Math.max(0, 1 - distance / (2 * calibratedDistance)));
}
