import { cosineDistance } from '../vision/index.js';

/** One detected face in one frame of a scene, with its ranked candidates (already within maxDistance). */
export interface FaceObservation {
  /** Distinct frames (or images) count once each; the same key = the same frame. */
  frameKey: string;
  /** Concatenation of the face's per-model embeddings, each L2-normalised. */
  vector: Float32Array;
  /** Detection score × face size, used to choose the cluster's thumbnail face. */
  quality: number;
  /**
   * Whether the face is good enough (size, sharpness, pose) to vote for a name; a face that does not vote is
   * still counted and shown. Absent means it votes.
   */
  votes?: boolean;
  /** The face's weight in its person's template (0–1); absent means 1. */
  weight?: number;
  /** Best first, each within the decision distance. */
  candidates: readonly { performerId: string; distance: number }[];
}

/** One performer as a scene person's template matched them. */
export interface TemplateMatch {
  performerId: string;
  distance: number;
  /** The next different performer's distance minus this one's; Infinity when there is none. */
  margin: number;
}

/** What a scene person's candidate is scored from (see MatchEvidence in open-set.ts). */
export interface PersonEvidence {
  distance: number;
  margin: number;
  agreeingFrames: number;
}

export interface ClusterOptions {
  /** Faces closer than this cosine distance to a cluster's centroid join it. */
  clusterDistance: number;
  /** The probability that the named performer is right, from a person's evidence (src/match/open-set.ts). */
  confidence: (evidence: PersonEvidence) => number;
  /** A person's candidate below this confidence is left out (0 keeps every one). */
  minConfidence?: number;
  /**
   * Matches the quality-weighted template of these voting members against the face database, best first and
   * within the decision distance. Without it, the members' own candidate distances stand in for the template's.
   */
  matchTemplate?: (members: readonly number[]) => TemplateMatch[];
  /** Performers already on the scene get this much extra confidence. */
  taggedBoost: number;
  taggedPerformerIds: ReadonlySet<string>;
  topK: number;
}

export interface PersonCandidate {
  performerId: string;
  /** The person's template's distance to the performer, lower is closer. */
  distance: number;
  confidence: number;
  /** Distinct frames in which this performer was a candidate for this person. */
  frameCount: number;
  /** Distinct voting frames whose own best match is this performer. */
  agreeingFrames: number;
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
 * Groups a scene's faces into people, then scores each person's candidates from the person's template
 * distance, the margin to the next performer, and how many distinct good frames agree. Faces that do not vote
 * (too small, blurred, turned away) join their person but never name them: a person with no voting face stays
 * unknown. Pure given its options: same input, same output.
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
  const clusters: { members: number[]; sum: Float32Array; frames: Set<string> }[] = [];
  observations.forEach((observation, index) => {
    let bestCluster = -1;
    let bestDistance = Infinity;
    clusters.forEach((cluster, c) => {
      // Two faces in one frame are two people: a cluster that already has a face of this frame is not a candidate.
      if (cluster.frames.has(observation.frameKey)) return;
      const distance = cosineDistance(observation.vector, cluster.sum);
      if (distance < bestDistance) {
        bestDistance = distance;
        bestCluster = c;
      }
    });
    const target = clusters[bestCluster];
    if (target && bestDistance < clusterDistance) {
      target.members.push(index);
      target.frames.add(observation.frameKey);
      for (let d = 0; d < target.sum.length; d++) target.sum[d]! += observation.vector[d]!;
    } else {
      clusters.push({ members: [index], sum: Float32Array.from(observation.vector), frames: new Set([observation.frameKey]) });
    }
  });
  return clusters.map((cluster) => cluster.members);
}

/**
 * Clusters whose faces' single best match is the same performer are the same person seen differently, unless
 * they share a frame: two faces of one frame are two people.
 */
function mergeByTopMatch(clusters: number[][], observations: readonly FaceObservation[]): number[][] {
  const byKey = new Map<string, { members: number[]; frames: Set<string> }[]>();
  const unmatched: number[][] = [];
  for (const members of clusters) {
    let top: { performerId: string; distance: number } | undefined;
    for (const i of members) {
      if (observations[i]!.votes === false) continue;
      const first = observations[i]!.candidates[0];
      if (first && (!top || first.distance < top.distance)) top = first;
    }
    if (!top) {
      unmatched.push(members);
      continue;
    }
    const frames = new Set(members.map((i) => observations[i]!.frameKey));
    const groups = byKey.get(top.performerId) ?? [];
    const target = groups.find((group) => ![...frames].some((frame) => group.frames.has(frame)));
    if (target) {
      target.members = [...target.members, ...members].sort((a, b) => a - b);
      for (const frame of frames) target.frames.add(frame);
    } else groups.push({ members, frames });
    byKey.set(top.performerId, groups);
  }
  return [...[...byKey.values()].flat().map((group) => group.members), ...unmatched];
}

function scoreCandidates(members: number[], observations: readonly FaceObservation[], options: ClusterOptions): PersonCandidate[] {
  const voting = members.filter((i) => observations[i]!.votes !== false);
  if (voting.length === 0) return [];
  const framesAsCandidate = new Map<string, Map<string, number>>();
  const agreeing = new Map<string, Set<string>>();
  for (const i of voting) {
    const observation = observations[i]!;
    const top = observation.candidates[0];
    if (top) agreeing.set(top.performerId, (agreeing.get(top.performerId) ?? new Set()).add(observation.frameKey));
    for (const candidate of observation.candidates) {
      const frames = framesAsCandidate.get(candidate.performerId) ?? new Map<string, number>();
      const known = frames.get(observation.frameKey);
      if (known === undefined || candidate.distance < known) frames.set(observation.frameKey, candidate.distance);
      framesAsCandidate.set(candidate.performerId, frames);
    }
  }
  const matches = options.matchTemplate ? options.matchTemplate(voting) : standInTemplate(framesAsCandidate);
  const scored: PersonCandidate[] = [];
  for (const match of matches) {
    // A name needs at least one good frame that, on its own, picks this performer first.
    const agreeingFrames = agreeing.get(match.performerId)?.size ?? 0;
    if (agreeingFrames === 0) continue;
    const alreadyTagged = options.taggedPerformerIds.has(match.performerId);
    const base = options.confidence({ distance: match.distance, margin: match.margin, agreeingFrames });
    if (base < (options.minConfidence ?? 0)) continue;
    const confidence = Math.min(1, base + (alreadyTagged ? options.taggedBoost : 0));
    const frameCount = framesAsCandidate.get(match.performerId)?.size ?? 0;
    scored.push({ performerId: match.performerId, distance: match.distance, confidence, frameCount, agreeingFrames, alreadyTagged });
  }
  return scored.sort((a, b) => b.confidence - a.confidence || a.distance - b.distance || a.performerId.localeCompare(b.performerId));
}

/** Without a template search: each performer's mean of its closest (up to 3) frame distances, and the margin between those. */
function standInTemplate(framesAsCandidate: ReadonlyMap<string, ReadonlyMap<string, number>>): TemplateMatch[] {
  const means = [...framesAsCandidate].map(([performerId, frames]) => {
    const closest = [...frames.values()].sort((a, b) => a - b).slice(0, 3);
    return { performerId, distance: closest.reduce((sum, value) => sum + value, 0) / closest.length };
  });
  return means.map((match) => ({
    ...match,
    margin: Math.min(Infinity, ...means.filter((other) => other !== match).map((other) => other.distance)) - match.distance,
  }));
}
