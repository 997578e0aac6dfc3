// Duplicate scenes: the same stash-box scene, or the same people (face fingerprints or Stash's own performer
// tags) in a scene of the same length. Candidate pairs come from blocks, never from comparing every pair. Pure.
import { endpointName, stashIdKey } from './duplicate-performers.js';
import type { AnalysisScene } from './library.js';
import { rankFiles } from './scene-files.js';
import type { Proposal } from './types.js';

/** Who the face fingerprint saw: performer identity → share of the frames with a recognised person. */
export type FaceFingerprint = ReadonlyMap<string, number>;

export interface DuplicateSceneOptions {
  /** Below this, a pair is not recommended. */
  minConfidence?: number;
  /** Blocks (one key, one duration bucket) larger than this are skipped: a key that common says nothing. */
  maxBlockSize?: number;
}

export interface DuplicateSceneResult {
  proposals: Proposal<'duplicate_scene'>[];
  /** Pairs scored; all pairs would be n·(n−1)/2. */
  comparisons: number;
  skippedBlocks: number;
}

export const DEFAULT_MIN_CONFIDENCE = 0.6;
/** Only a shared stash-box scene id is certain; every other combination of signals stays below it. */
export const MAX_CONFIDENCE_WITHOUT_STASH_ID = 0.95;
const DURATION_BUCKET_SEC = 30;
const CLOSE_DURATION_SEC = 2;

export function proposeDuplicateScenes(
  scenes: readonly AnalysisScene[],
  faces: ReadonlyMap<string, FaceFingerprint>,
  options: DuplicateSceneOptions = {},
): DuplicateSceneResult {
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const { pairs, skippedBlocks } = candidatePairs(scenes, faces, options.maxBlockSize ?? 100);
  const byId = new Map(scenes.map((scene) => [scene.id, scene]));
  const proposals: Proposal<'duplicate_scene'>[] = [];
  for (const [idA, idB] of pairs) {
    const a = byId.get(idA)!;
    const b = byId.get(idB)!;
    const score = scoreScenePair(a, b, faces.get(a.id), faces.get(b.id));
    if (score && score.confidence >= minConfidence) proposals.push(propose(a, b, score));
  }
  return { proposals, comparisons: pairs.length, skippedBlocks };
}

/**
 * Each scene goes into a few blocks: one per stash-box scene id; and, bucketed by primary-file duration
 * (30 s buckets, paired with the next bucket so a pair straddling an edge is not lost), one for the exact set of
 * people its face fingerprint saw, one for the exact set of performers tagged in Stash, and one for its title's
 * words. Only scenes sharing a block are compared, so the work follows the number of likely duplicates, not n².
 */
export function candidatePairs(
  scenes: readonly AnalysisScene[],
  faces: ReadonlyMap<string, FaceFingerprint>,
  maxBlockSize: number,
): { pairs: [string, string][]; skippedBlocks: number } {
  const blocks = new Map<string, Map<number, string[]>>();
  const put = (key: string, bucket: number, id: string) => {
    const buckets = blocks.get(key) ?? new Map<number, string[]>();
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), id]);
    blocks.set(key, buckets);
  };
  for (const scene of scenes) {
    for (const stashId of scene.stashIds) put(`stash:${stashIdKey(stashId)}`, 0, scene.id);
    const duration = scene.files[0]?.durationSec;
    if (duration === undefined) continue;
    const bucket = Math.floor(duration / DURATION_BUCKET_SEC);
    const seen = faces.get(scene.id);
    if (seen && seen.size > 0) put(`faces:${[...seen.keys()].sort().join(',')}`, bucket, scene.id);
    if (scene.performers.length > 0) put(`cast:${scene.performers.map((p) => p.id).sort().join(',')}`, bucket, scene.id);
    const words = titleWords(scene.title);
    if (words.size >= 2) put(`title:${[...words].sort().join(' ')}`, bucket, scene.id);
  }

  const pairs = new Map<string, [string, string]>();
  let skippedBlocks = 0;
  const pair = (x: string, y: string) => {
    if (x === y) return;
    const [a, b] = Number(x) < Number(y) ? [x, y] : [y, x];
    pairs.set(`${a}:${b}`, [a, b]);
  };
  for (const buckets of blocks.values()) {
    for (const [bucket, ids] of buckets) {
      const next = buckets.get(bucket + 1) ?? [];
      if (ids.length + next.length > maxBlockSize) {
        skippedBlocks += 1;
        continue;
      }
      for (const [i, x] of ids.entries()) {
        for (const y of ids.slice(i + 1)) pair(x, y);
        for (const y of next) pair(x, y);
      }
    }
  }
  return { pairs: [...pairs.values()], skippedBlocks };
}

export interface PairScore {
  confidence: number;
  /** For people: "same performers seen (face fingerprints)", "durations within 0.4 s", … */
  reasons: string[];
  /** The same, as codes without numbers: what a dismissal remembers. */
  signals: string[];
}

/**
 * The stash-box id decides alone: shared, it is the same scene (1.0); different ids on the same stash-box, they are
 * different scenes. Otherwise who is in it (faces or Stash's performer tags) weighs most, then the duration, the
 * studio and the title, with caps: nobody in common, durations apart, or different studios keep a pair below the
 * threshold, and nothing but a stash-box id reaches 1.
 */
export function scoreScenePair(a: AnalysisScene, b: AnalysisScene, facesA?: FaceFingerprint, facesB?: FaceFingerprint): PairScore | undefined {
  const sharedStashIds = a.stashIds.filter((s) => b.stashIds.some((t) => t.endpoint === s.endpoint && t.stashId === s.stashId));
  if (sharedStashIds.length > 0) {
    const endpoints = [...new Set(sharedStashIds.map((s) => endpointName(s.endpoint)))].join(', ');
    return { confidence: 1, reasons: [`same stash-box scene (${endpoints})`], signals: ['stash-box'] };
  }
  if (a.stashIds.some((s) => b.stashIds.some((t) => t.endpoint === s.endpoint))) return undefined;

  const reasons: string[] = [];
  const signals: string[] = [];
  const faceScore = facesA && facesB && facesA.size > 0 && facesB.size > 0 ? compareFaces(facesA, facesB) : 0;
  if (faceScore >= 0.5) {
    reasons.push(faceScore >= 0.99 ? 'same performers seen (face fingerprints)' : 'mostly the same performers seen (face fingerprints)');
    signals.push(faceScore >= 0.99 ? 'faces' : 'faces-partial');
  }
  const castScore = a.performers.length > 0 && b.performers.length > 0 ? jaccard(new Set(a.performers.map((p) => p.id)), new Set(b.performers.map((p) => p.id))) : 0;
  if (castScore >= 0.5) {
    reasons.push(castScore === 1 ? 'same performers tagged in Stash' : 'mostly the same performers tagged in Stash');
    signals.push(castScore === 1 ? 'cast' : 'cast-partial');
  }
  const people = Math.max(faceScore, castScore);

  let duration = 0;
  let durationsApart = true;
  const durationA = a.files[0]?.durationSec;
  const durationB = b.files[0]?.durationSec;
  if (durationA !== undefined && durationB !== undefined) {
    const gap = Math.abs(durationA - durationB);
    const tolerance = Math.max(5, 0.01 * Math.max(durationA, durationB));
    if (gap <= CLOSE_DURATION_SEC) {
      duration = 1;
      reasons.push(`durations within ${gap.toFixed(1)} s`);
      signals.push('duration-close');
    } else if (gap <= tolerance) {
      duration = 0.5;
      reasons.push(`durations ${gap.toFixed(1)} s apart`);
      signals.push('duration-near');
    }
    durationsApart = gap > tolerance;
  }

  let studio = 0;
  const differentStudios = a.studio !== null && b.studio !== null && a.studio.id !== b.studio.id;
  if (a.studio && b.studio && a.studio.id === b.studio.id) {
    studio = 1;
    reasons.push(`same studio (${a.studio.name})`);
    signals.push('studio');
  }

  const wordsA = titleWords(a.title);
  const wordsB = titleWords(b.title);
  const titleScore = wordsA.size > 0 && wordsB.size > 0 ? jaccard(wordsA, wordsB) : 0;
  const title = titleScore >= 0.8 ? 1 : titleScore >= 0.5 ? 0.5 : 0;
  if (title > 0) {
    reasons.push(title === 1 ? 'same title' : 'similar titles');
    signals.push(title === 1 ? 'title' : 'title-similar');
  }

  const corroborated = faceScore >= 0.99 && castScore === 1 ? 1 : 0;
  let confidence = 0.55 * people + 0.2 * duration + 0.1 * studio + 0.1 * title + 0.05 * corroborated;
  if (people < 0.5) confidence = Math.min(confidence, 0.45);
  if (durationsApart) confidence = Math.min(confidence, 0.5);
  if (differentStudios) confidence = Math.min(confidence, 0.55);
  confidence = Math.min(round(confidence), MAX_CONFIDENCE_WITHOUT_STASH_ID);
  if (confidence <= 0) return undefined;
  return { confidence, reasons, signals };
}

/** Jaccard of who was seen, scaled down by how differently their screen time is shared. */
function compareFaces(a: FaceFingerprint, b: FaceFingerprint): number {
  const everyone = new Set([...a.keys(), ...b.keys()]);
  let shared = 0;
  let shareGap = 0;
  for (const id of everyone) {
    if (a.has(id) && b.has(id)) shared += 1;
    shareGap += Math.abs((a.get(id) ?? 0) - (b.get(id) ?? 0));
  }
  return (shared / everyone.size) * (1 - shareGap / everyone.size);
}

function propose(a: AnalysisScene, b: AnalysisScene, score: PairScore): Proposal<'duplicate_scene'> {
  const keep = betterScene(a, b);
  const label = score.confidence === 1 ? 'the same scene' : score.confidence >= 0.85 ? 'very likely the same scene' : score.confidence >= 0.7 ? 'likely the same scene' : 'possibly the same scene';
  const name = (scene: AnalysisScene) => (scene.title ? `${scene.id} "${scene.title}"` : scene.id);
  return {
    type: 'duplicate_scene',
    targets: [
      { type: 'scene', id: a.id },
      { type: 'scene', id: b.id },
    ],
    confidence: score.confidence,
    summary: `Scenes ${name(a)} and ${name(b)} are ${label}: ${score.reasons.join(', ')}; keep ${keep.id}`,
    details: { sceneIds: [a.id, b.id], titles: [a.title, b.title], reasons: score.reasons, keepSceneId: keep.id },
    evidence: { sceneIds: [a.id, b.id], signals: [...score.signals].sort() },
  };
}

/** The scene to keep: linked to stash-box, then the better primary file, then more performers, then the older. */
function betterScene(a: AnalysisScene, b: AnalysisScene): AnalysisScene {
  if (a.stashIds.length !== b.stashIds.length) return a.stashIds.length > b.stashIds.length ? a : b;
  const fileA = a.files[0];
  const fileB = b.files[0];
  if (fileA && fileB) {
    const best = rankFiles([fileA, fileB])[0]!;
    const tied = fileA.width * fileA.height === fileB.width * fileB.height && fileA.bitRate === fileB.bitRate && fileA.sizeBytes === fileB.sizeBytes;
    if (!tied) return best === fileA ? a : b;
  } else if (fileA || fileB) {
    return fileA ? a : b;
  }
  if (a.performers.length !== b.performers.length) return a.performers.length > b.performers.length ? a : b;
  return Number(a.id) <= Number(b.id) ? a : b;
}

const noiseWords = new Set(['mp4', 'mkv', 'avi', 'wmv', 'mov', 'webm', 'm4v', 'xxx', 'hd', 'sd', 'uhd', '4k', '480p', '540p', '720p', '1080p', '1440p', '2160p', 'x264', 'x265', 'h264', 'h265', 'hevc']);

/** A title's words, lower case, without file extensions, resolutions and codecs (titles are often file names). */
export function titleWords(title: string | null): Set<string> {
  if (!title) return new Set();
  return new Set(
    title
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word.length >= 2 && !noiseWords.has(word)),
  );
}

function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
