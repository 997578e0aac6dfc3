import { describe, expect, it } from 'vitest';
import {
  EMBEDDED_CALIBRATION,
  clusterFaces,
  createMatchPolicy,
  rankFaceCandidates,
  type ClusterOptions,
  type FaceObservation,
  type TemplateMatch,
} from '../../src/match/index.js';

// A small face database in 64 dimensions: each performer one unit vector; faces are noisy copies of them. The
// real calibrated policy scores them as if the database held 1,000 faces.
const DIMS = 64;
const policy = createMatchPolicy({ calibration: EMBEDDED_CALIBRATION, explicitMaxDistance: null, fallbackDistance: 0.6 });
const databaseFaces = 1000;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function normalise(v: Float32Array): Float32Array {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function identity(seed: number): Float32Array {
  const next = random(seed);
  return normalise(Float32Array.from({ length: DIMS }, next));
}

/** `base` plus independent noise of the given size: a different look at the same face. */
function look(base: Float32Array, noise: number, seed: number): Float32Array {
  const next = random(seed);
  const offset = normalise(Float32Array.from({ length: DIMS }, next));
  return normalise(base.map((x, i) => x + noise * offset[i]!));
}

const gallery = new Map([
  ['alice', identity(1)],
  ['bob', identity(2)],
  ['carol', identity(3)],
]);

function hitsFor(vector: Float32Array) {
  return [...gallery].map(([performerId, face], faceId) => ({ faceId, performerId, distance: 1 - face.reduce((s, x, i) => s + x * vector[i]!, 0) }));
}

const confidence = (evidence: { distance: number; margin: number; agreeingFrames?: number }) =>
  policy.confidence({ agreeingFrames: 1, ...evidence, databaseFaces });

function observe(frame: number, vector: Float32Array, options: { votes?: boolean; weight?: number } = {}): FaceObservation {
  const candidates = rankFaceCandidates({ embedded: hitsFor(vector) }, { maxDistance: policy.maxDistance(databaseFaces), topK: 5, minConfidence: policy.minConfidence, confidence });
  return { frameKey: `f${frame}`, vector, quality: 1 + frame / 100, ...options, candidates: candidates.map(({ performerId, distance }) => ({ performerId, distance })) };
}

function options(observations: readonly FaceObservation[], extra: Partial<ClusterOptions> = {}): ClusterOptions {
  return {
    clusterDistance: 0.75,
    taggedBoost: 0.03,
    taggedPerformerIds: new Set<string>(),
    topK: 3,
    confidence,
    minConfidence: policy.minConfidence,
    // The template is the weighted mean of the members' vectors, matched like one face.
    matchTemplate: (members): TemplateMatch[] => {
      const sum = new Float32Array(DIMS);
      for (const i of members) observations[i]!.vector.forEach((x, d) => (sum[d]! += (observations[i]!.weight ?? 1) * x));
      return rankFaceCandidates({ embedded: hitsFor(normalise(sum)) }, { maxDistance: policy.maxDistance(databaseFaces), topK: 5, confidence });
    },
    ...extra,
  };
}

describe('clusterFaces', () => {
  it('groups two people across frames and names each by the frames that agree', () => {
    const observations = [
      observe(0, look(gallery.get('alice')!, 0.5, 10)),
      observe(0, look(gallery.get('bob')!, 0.5, 11)),
      observe(1, look(gallery.get('alice')!, 0.5, 12)),
      observe(1, look(gallery.get('bob')!, 0.5, 13)),
      observe(2, look(gallery.get('alice')!, 0.5, 14)),
    ];
    const persons = clusterFaces(observations, options(observations));
    expect(persons).toHaveLength(2);
    expect(persons[0]!.members).toEqual([0, 2, 4]);
    expect(persons[0]!.candidates[0]).toMatchObject({ performerId: 'alice', frameCount: 3, agreeingFrames: 3 });
    expect(persons[1]!.candidates[0]).toMatchObject({ performerId: 'bob', frameCount: 2, agreeingFrames: 2 });
    expect(persons[0]!.bestMember).toBe(4);
  });

  it('never makes one person of two faces in the same frame, however alike', () => {
    const alice = gallery.get('alice')!;
    const twin = look(alice, 0.3, 70);
    const observations = [observe(0, look(alice, 0.2, 71)), observe(0, twin), observe(1, look(alice, 0.2, 72)), observe(1, look(twin, 0.1, 73))];
    const persons = clusterFaces(observations, options(observations, { clusterDistance: 0.9 }));
    expect(persons.length).toBeGreaterThanOrEqual(2);
    for (const person of persons) expect(new Set(person.frameKeys).size).toBe(person.members.length);
  });

  it('keeps an unknown face unknown instead of naming the nearest stranger', () => {
    const stranger = identity(99);
    const observations = [observe(0, look(gallery.get('alice')!, 0.4, 20)), observe(0, look(stranger, 0.4, 21)), observe(1, look(stranger, 0.4, 22))];
    const persons = clusterFaces(observations, options(observations));
    const unknown = persons.find((person) => person.members.includes(1))!;
    expect(unknown.members).toEqual([1, 2]);
    expect(unknown.candidates).toEqual([]);
  });

  it('is surer of a person seen in many frames than of the same person seen once', () => {
    // Each frame alone is a noisy, borderline look; their template cancels the noise.
    const alice = gallery.get('alice')!;
    const frames = [0, 1, 2, 3, 4, 5, 6, 7].map((f) => observe(f, look(alice, 2.6, 30 + f)));
    const once = frames.map((frame) => clusterFaces([frame], options([frame]))[0]!.candidates[0]?.confidence ?? 0);
    const many = clusterFaces(frames, options(frames))[0]!.candidates[0]!;
    expect(many.performerId).toBe('alice');
    expect(many.confidence).toBeGreaterThan(Math.max(...once));
    expect(many.distance).toBeLessThan(Math.min(...frames.map((frame) => frame.candidates[0]?.distance ?? 1)));
    // Alone, most of these frames are not sure enough to be named at all.
    expect(once.filter((c) => c >= policy.minConfidence).length).toBeLessThan(frames.length / 2);
    expect(many.confidence).toBeGreaterThan(0.9);
  });

  it('gives no name to a person whose only face is too poor to vote, however close it looks', () => {
    const face = observe(0, look(gallery.get('alice')!, 0.3, 40), { votes: false });
    expect(face.candidates[0]?.performerId).toBe('alice');
    const [person] = clusterFaces([face], options([face]));
    expect(person!.members).toEqual([0]);
    expect(person!.candidates).toEqual([]);
  });

  it('boosts performers already tagged on the scene', () => {
    const face = [observe(0, look(gallery.get('carol')!, 1.5, 50))];
    const tagged = clusterFaces(face, options(face, { taggedPerformerIds: new Set(['carol']) }))[0]!.candidates[0]!;
    const untagged = clusterFaces(face, options(face))[0]!.candidates[0]!;
    expect(tagged.alreadyTagged).toBe(true);
    expect(untagged.confidence).toBeLessThan(0.97);
    expect(tagged.confidence).toBeCloseTo(untagged.confidence + 0.03);
  });

  it('merges clusters whose best match is the same performer', () => {
    // Same person, two looks far apart in embedding space.
    const alice = gallery.get('alice')!;
    const observations = [observe(0, look(alice, 0.7, 60)), observe(1, look(alice, 0.7, 61))];
    const persons = clusterFaces(observations, options(observations, { clusterDistance: 0.05 }));
    expect(persons).toHaveLength(1);
    expect(persons[0]!.frameKeys).toEqual(['f0', 'f1']);
  });
});
