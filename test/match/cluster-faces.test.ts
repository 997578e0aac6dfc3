import { describe, expect, it } from 'vitest';
import { EMBEDDED_CALIBRATION, clusterFaces, matchConfidence, type FaceObservation } from '../../src/match/index.js';

/** A unit vector near `axis` in 8 dimensions, nudged by `noise` along `towards`. */
function vector(axis: number, noise = 0, towards = (axis + 1) % 8): Float32Array {
  const v = new Float32Array(8);
  v[axis] = 1;
  v[towards] = noise;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const options = {
  clusterDistance: 0.4,
  taggedBoost: 0.03,
  taggedPerformerIds: new Set<string>(),
  topK: 3,
  // The shipped calibration, in a database of 1,000 faces.
  confidence: (evidence: { distance: number; margin: number; agreeingFrames: number }) => matchConfidence(EMBEDDED_CALIBRATION, { ...evidence, databaseFaces: 1000 }),
};

function observe(frame: number, axis: number, candidates: [string, number][], noise = 0.05): FaceObservation {
  return { frameKey: `f${frame}`, vector: vector(axis, noise), quality: 1 + frame / 100, candidates: candidates.map(([performerId, distance]) => ({ performerId, distance })) };
}

describe('clusterFaces', () => {
  it('groups two people across frames and names each by the frames that agree', () => {
    const observations = [
      observe(0, 0, [['alice', 0.3]]),
      observe(0, 3, [['bob', 0.35], ['alice', 0.48]]),
      observe(1, 0, [['alice', 0.25]]),
      observe(1, 3, [['bob', 0.3]]),
      observe(2, 0, [['alice', 0.28], ['carol', 0.45]]),
    ];
    const persons = clusterFaces(observations, options);
    expect(persons).toHaveLength(2);
    expect(persons[0]!.members).toEqual([0, 2, 4]);
    expect(persons[0]!.candidates[0]).toMatchObject({ performerId: 'alice', frameCount: 3 });
    expect(persons[1]!.candidates[0]).toMatchObject({ performerId: 'bob', frameCount: 2 });
    // Alice is the first person's; for the second she is only an alternative.
    expect(persons[1]!.candidates.map((c) => c.performerId)).toEqual(['bob', 'alice']);
    expect(persons[0]!.bestMember).toBe(4);
  });

  it('keeps an unknown face unknown instead of naming the nearest stranger', () => {
    const persons = clusterFaces([observe(0, 0, [['alice', 0.2]]), observe(0, 5, []), observe(1, 5, [])], options);
    const stranger = persons.find((person) => person.members.includes(1))!;
    expect(stranger.members).toEqual([1, 2]);
    expect(stranger.candidates).toEqual([]);
  });

  it('rates a performer seen in many frames above one seen once at the same distance, and boosts tagged ones', () => {
    const many = clusterFaces([0, 1, 2, 3].map((f) => observe(f, 0, [['alice', 0.3]])), options)[0]!.candidates[0]!;
    const once = clusterFaces([observe(0, 0, [['alice', 0.3]]), ...[1, 2, 3].map((f) => observe(f, 0, []))], options)[0]!.candidates[0]!;
    expect(many.confidence).toBeGreaterThan(once.confidence);
    const tagged = clusterFaces([observe(0, 0, [['alice', 0.3]])], { ...options, taggedPerformerIds: new Set(['alice']) })[0]!.candidates[0]!;
    const untagged = clusterFaces([observe(0, 0, [['alice', 0.3]])], options)[0]!.candidates[0]!;
    expect(tagged.alreadyTagged).toBe(true);
    expect(tagged.confidence).toBeCloseTo(untagged.confidence + 0.03);
  });

  it('merges clusters whose best match is the same performer', () => {
    // Same person, two poses far apart in embedding space.
    const persons = clusterFaces([observe(0, 0, [['alice', 0.2]]), observe(1, 6, [['alice', 0.3]])], options);
    expect(persons).toHaveLength(1);
    expect(persons[0]!.frameKeys).toEqual(['f0', 'f1']);
  });
});
