import { cosineDistance } from '../vision/index.js';
import { distanceToConfidence } from './rank-candidates.js';

/** One detected face in one frame of a scene, with its ranked candidates (already within maxDistance). */
export interface FaceObservation {
  /** Distinct frames (or images) count once each; the same key = the same frame. */
  frameKey: string;
  /** Concatenation of the face's per-model embeddings, each L2-normalised. */
  vector: Float32Array;
  /** Detection score × face size, used to choose the cluster's thumbnail face. */
  quality: number;
  candidates: readonly { performerId: string; distance: number }[];
}

export interface ClusterOptions {
  /** Faces closer than this cosine distance to a cluster's centroid join it. */
  clusterDistance: number;
  /** The calibrated match distance (confidence 0.5). */
  calibratedDistance: number;
  /** Performers already on the scene get this much extra confidence. */
  taggedBoost: number;
  taggedPerformerIds: ReadonlySet<string>;
  topK: number;
}

export interface PersonCandidate {
  performerId: string;
  /** Mean of the performer's closest distances over the frames that agree (up to 3), lower is closer. */
  distance: number;
  confidence: number;
  /** Distinct frames in which this performer was a candidate for this person. */
  frameCount: number;
  alreadyTagged: boolean;
}

export interface PersonCluster {
  /** Indexes into the observations, in input order. */
  members: number[];
  frameKeys: string[];
  /** The member with the best quality: its face becomes the thumbnail. */
  bestMember: number;
  candidates: PersonCandidate[];
}

/**
 * Groups a scene's faces into people, then scores each person's candidates by distance and by how many
 * distinct frames agree. Pure: same input, same output.
 */
export function clusterFaces(observations: readonly FaceObservation[], options: ClusterOptions): PersonCluster[] {
  const groups = mergeByTopMatch(greedyClusters(observations, options.clusterDistance), observations);
  const used = new Set<string>();
  const persons = groups
    .map((members) => ({ members, candidates: scoreCandidates(members, observations, options) }))
    .sort((a, b) => b.members.length - a.members.length);
  return persons
    .map(({ members, candidates }) => {
      // A performer is one person: the larger cluster keeps them as its best match; others list them only as alternatives.
      const best = candidates.find((candidate) => !used.has(candidate.performerId));
      if (best) used.add(best.performerId);
      const ordered = best ? [best, ...candidates.filter((candidate) => candidate !== best)] : [];
      const frameKeys = [...new Set(members.map((i) => observations[i]!.frameKey))];
      const bestMember = members.reduce((a, b) => (observations[b]!.quality > observations[a]!.quality ? b : a));
      return { members, frameKeys, bestMember, candidates: ordered.slice(0, options.topK) };
    })
    .sort((a, b) => Number(b.candidates.length > 0) - Number(a.candidates.length > 0) || b.frameKeys.length - a.frameKeys.length);
}

function greedyClusters(observations: readonly FaceObservation[], clusterDistance: number): number[][] {
  const clusters: { members: number[]; sum: Float32Array }[] = [];
  observations.forEach((observation, index) => {
    let bestCluster = -1;
    let bestDistance = Infinity;
    clusters.forEach((cluster, c) => {
      const distance = cosineDistance(observation.vector, cluster.sum);
      if (distance < bestDistance) {
        bestDistance = distance;
        bestCluster = c;
      }
    });
    const target = clusters[bestCluster];
    if (target && bestDistance < clusterDistance) {
      target.members.push(index);
      for (let d = 0; d < target.sum.length; d++) target.sum[d]! += observation.vector[d]!;
    } else {
      clusters.push({ members: [index], sum: Float32Array.from(observation.vector) });
    }
  });
  return clusters.map((cluster) => cluster.members);
}

/** Clusters whose faces' single best match is the same performer are the same person seen differently. */
function mergeByTopMatch(clusters: number[][], observations: readonly FaceObservation[]): number[][] {
  const byKey = new Map<string, number[]>();
  const unmatched: number[][] = [];
  for (const members of clusters) {
    let top: { performerId: string; distance: number } | undefined;
    for (const i of members) {
      const first = observations[i]!.candidates[0];
      if (first && (!top || first.distance < top.distance)) top = first;
    }
    if (!top) unmatched.push(members);
    else byKey.set(top.performerId, [...(byKey.get(top.performerId) ?? []), ...members].sort((a, b) => a - b));
  }
  return [...byKey.values(), ...unmatched];
}

function scoreCandidates(members: number[], observations: readonly FaceObservation[], options: ClusterOptions): PersonCandidate[] {
  const perPerformer = new Map<string, Map<string, number>>();
  for (const i of members) {
    const observation = observations[i]!;
    for (const candidate of observation.candidates) {
      const frames = perPerformer.get(candidate.performerId) ?? new Map<string, number>();
      const known = frames.get(observation.frameKey);
      if (known === undefined || candidate.distance < known) frames.set(observation.frameKey, candidate.distance);
      perPerformer.set(candidate.performerId, frames);
    }
  }
  const clusterFrames = new Set(members.map((i) => observations[i]!.frameKey)).size;
  const scored: PersonCandidate[] = [];
  for (const [performerId, frames] of perPerformer) {
    const closest = [...frames.values()].sort((a, b) => a - b).slice(0, 3);
    const distance = closest.reduce((sum, value) => sum + value, 0) / closest.length;
    const agreement = frames.size / clusterFrames;
    const alreadyTagged = options.taggedPerformerIds.has(performerId);
    const frameBonus = Math.min(0.1, 0.02 * (frames.size - 1));
    const base = distanceToConfidence(distance, options.calibratedDistance) * (0.6 + 0.4 * agreement);
    const confidence = Math.min(1, base + frameBonus + (alreadyTagged ? options.taggedBoost : 0));
    scored.push({ performerId, distance, confidence, frameCount: frames.size, alreadyTagged });
  }
  return scored.sort((a, b) => b.confidence - a.confidence || a.distance - b.distance || a.performerId.localeCompare(b.performerId));
}
