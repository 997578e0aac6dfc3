// Face-like synthetic embeddings: each performer is a random unit centroid, each of their faces the centroid
// plus Gaussian noise, normalised (within-performer cosine similarity ≈ 0.7, like real face embeddings).
import type { EmbeddingModel, NewFace, NewPerformer } from '../../src/faces/index.js';

export const TEST_PROFILE = 'synthetic';
export const TEST_MODELS: EmbeddingModel[] = [
  { name: 'arc', dims: 128 },
  { name: 'facenet', dims: 64 },
];

export type Random = () => number;

/** mulberry32: small, seedable, good enough for test data. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

export function randomUnit(dims: number, random: Random): Float32Array {
  const vector = new Float32Array(dims);
  for (let i = 0; i < dims; i++) vector[i] = gaussian(random);
  return normalise(vector);
}

export function sampleAround(centroid: Float32Array, sigma: number, random: Random): Float32Array {
  const vector = new Float32Array(centroid.length);
  for (let i = 0; i < centroid.length; i++) vector[i] = centroid[i]! + sigma * gaussian(random);
  return normalise(vector);
}

export interface SyntheticPerformer {
  performer: NewPerformer;
  centroids: Record<string, Float32Array>;
}

export function syntheticPerformers(count: number, seed: number, prefix = 'p'): SyntheticPerformer[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    performer: {
      name: `${prefix} performer ${i}`,
      aliases: [`${prefix}-alias-${i}`],
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: `${prefix}-${seed}-${i}` }],
      country: i % 2 === 0 ? 'US' : null,
    },
    centroids: Object.fromEntries(TEST_MODELS.map(({ name, dims }) => [name, randomUnit(dims, random)])),
  }));
}

/** A fresh face of `subject`; the same (subject, n) always gives the same source hash. */
export function syntheticFace(subject: SyntheticPerformer, n: number, random: Random): NewFace {
  return {
    sourceHash: `${subject.performer.stashIds?.[0]?.stashId ?? subject.performer.name}#${n}`,
    sourcePath: `/photos/${subject.performer.name}/${n}.jpg`,
    box: { x: 10, y: 20, width: 100, height: 120 },
    score: 0.99,
    embeddings: sampleEmbeddings(subject, random),
  };
}

export function sampleEmbeddings(subject: SyntheticPerformer, random: Random): Record<string, Float32Array> {
  return Object.fromEntries(
    TEST_MODELS.map(({ name, dims }) => [name, sampleAround(subject.centroids[name]!, 0.6 / Math.sqrt(dims), random)]),
  );
}
