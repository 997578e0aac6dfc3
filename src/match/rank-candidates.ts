import type { FaceHit } from '../faces/index.js';

export interface RankOptions {
  /** The largest fused cosine distance still called a match. */
  maxDistance: number;
  topK: number;
  /** The distance calibrated as the match threshold for the profile; confidence is 0.5 there. */
  calibratedDistance: number;
}

export interface RankedCandidate {
  performerId: string;
  /** Fused cosine distance, lower is closer. */
  distance: number;
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
  const ranked: RankedCandidate[] = [];
  for (const [performerId, modelDistances] of closest) {
    const fused = models.reduce((sum, model) => sum + (modelDistances[model] ?? missingModelDistance), 0) / models.length;
    if (fused > options.maxDistance) continue;
    ranked.push({ performerId, distance: fused, confidence: distanceToConfidence(fused, options.calibratedDistance), modelDistances });
  }
  ranked.sort((a, b) => a.distance - b.distance || a.performerId.localeCompare(b.performerId));
  return ranked.slice(0, options.topK);
}

/**
 * Maps a cosine distance to 0–1 so that the calibrated threshold reads 0.5, an identical face 1, and twice the
 * threshold 0. Profiles differ in their distance scales; confidence reads the same under each.
 */
export function distanceToConfidence(distance: number, calibratedDistance: number): number {
  return Math.min(1, Math.max(0, 1 - distance / (2 * calibratedDistance)));
}
