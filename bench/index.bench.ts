// The face database at size: N synthetic 512-d faces clustered like real ones (N/15 identities; a face is its
// identity's centroid plus Gaussian noise σ = 0.035 per dim, normalised, so same-person cosine ≈ 0.6), enrolled
// through FaceDatabase.write, then searched with fresh samples and checked against exact brute force.
// Uniform random vectors would be the wrong test: HNSW recall on them is pathological and unlike faces.
// BENCH_INDEX_SIZE shrinks it (default 100000; building 100k takes ~2.5 min on 2 cores).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openFaceDatabase } from '../src/faces/index.js';
import { createLogger, silentLogger } from '../src/logger.js';
import type { Benchmark, BenchRow } from './report.js';

const DIMS = 512;
const FACES_PER_IDENTITY = 15;
const SIGMA = 0.035;
const QUERIES = 300;
const K = 10;
const EFS = [50, 100, 200];
const MODEL = 'arcface';
const PROFILE = 'bench';

export const benchmark: Benchmark = {
  name: 'face index (hnswlib via FaceDatabase)',
  async run() {
    const size = Number(process.env['BENCH_INDEX_SIZE'] ?? 100_000);
    const identities = Math.max(1, Math.round(size / FACES_PER_IDENTITY));
    const random = createRandom(20261124);
    const centroids = Array.from({ length: identities }, () => randomUnit(random));
    const owner = Int32Array.from({ length: size }, (_, i) => i % identities);
    const vectors = new Float32Array(size * DIMS);
    for (let i = 0; i < size; i++) vectors.set(sampleAround(centroids[owner[i]!]!, random), i * DIMS);
    const queryOwners = Array.from({ length: QUERIES }, () => Math.floor(random() * identities));
    const queries = queryOwners.map((identity) => sampleAround(centroids[identity]!, random));

    const dataDir = await mkdtemp(join(tmpdir(), 'bench-index-'));
    try {
      // Build: one write of every face, timed per phase from the database's own log lines.
      const marks = new Map<string, number>();
      const logger = createLogger({ level: 'debug', sink: (line) => marks.set(line.message, performance.now()) });
      const models = [{ name: MODEL, dims: DIMS }];
      const building = await openFaceDatabase({ dataDir, profile: PROFILE, models }, logger);
      const started = performance.now();
      const faceIds = new Int32Array(size);
      await building.write((writer) => {
        const performerIds = centroids.map((_, identity) => writer.upsertPerformer({ name: `identity ${identity}` }));
        for (let i = 0; i < size; i++) {
          const embedding = vectors.subarray(i * DIMS, (i + 1) * DIMS);
          faceIds[i] = writer.addFace(performerIds[owner[i]!]!, {
            sourceHash: `face-${i}`,
            box: { x: 0, y: 0, width: 112, height: 112 },
            score: 1,
            embeddings: { [MODEL]: embedding },
          })!;
        }
      });
      const finished = performance.now();
      await building.close();
      const mark = (message: string) => marks.get(message) ?? Number.NaN;
      const sqlMs = mark('write staged') - started;
      const addMs = mark('index points added') - mark('write staged');
      const saveMs = mark('index file written') - mark('index points added');
      const indexFile = (await readdir(dataDir)).find((name) => name.endsWith('.hnsw'))!;
      const fileBytes = (await stat(join(dataDir, indexFile))).size;

      const load = await measureLoadInChild(dataDir, models);

      // Exact top-k by brute force (vectors are unit length, so cosine similarity is the dot product).
      const truthStarted = performance.now();
      const truth = queries.map((query) => bruteForceTopK(vectors, query, size, K).map((i) => faceIds[i]!));
      const bruteMs = (performance.now() - truthStarted) / QUERIES;

      const rows: BenchRow[] = [
        { measure: 'faces / identities', value: `${size} / ${identities}`, unit: '' },
        { measure: 'build: whole write', value: (finished - started) / 1000, unit: 's' },
        { measure: 'build: SQLite rows', value: sqlMs / 1000, unit: 's' },
        { measure: 'build: hnswlib addPoint', value: addMs / 1000, unit: 's' },
        { measure: 'build: addPoint rate', value: Math.round(size / (addMs / 1000)), unit: 'faces/s' },
        { measure: 'build: save index (write, fsync, check)', value: saveMs / 1000, unit: 's' },
        { measure: 'index file size', value: fileBytes / 2 ** 20, unit: 'MiB' },
        { measure: 'index file per face', value: Math.round(fileBytes / size), unit: 'B' },
        { measure: 'open (async readIndex), fresh process', value: load.openMs, unit: 'ms' },
        { measure: 'RSS increase after open', value: load.rssDeltaBytes / 2 ** 20, unit: 'MiB' },
        { measure: 'RSS increase per face', value: Math.round(load.rssDeltaBytes / size), unit: 'B' },
        { measure: 'exact brute force (JS), per query', value: bruteMs, unit: 'ms' },
      ];
      const details: Record<string, unknown> = { size, identities, dims: DIMS, sigma: SIGMA, queries: QUERIES, k: K, fileBytes, load };
      for (const ef of EFS) {
        const database = await openFaceDatabase({ dataDir, profile: PROFILE, models, efSearch: ef }, silentLogger);
        database.search(MODEL, queries[0]!, K); // warm-up
        const latencies: number[] = [];
        let found = 0;
        let topIsSamePerson = 0;
        const performerOf = new Map(database.listPerformers({ limit: identities }).map((performer) => [performer.name, performer.id]));
        queries.forEach((query, q) => {
          const searchStarted = performance.now();
          const hits = database.search(MODEL, query, K);
          latencies.push(performance.now() - searchStarted);
          const exact = new Set(truth[q]);
          found += hits.filter((hit) => exact.has(hit.faceId)).length;
          if (hits[0]?.performerId === performerOf.get(`identity ${queryOwners[q]}`)) topIsSamePerson++;
        });
        await database.close();
        latencies.sort((a, b) => a - b);
        const meanMs = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
        const p99Ms = latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)]!;
        const recall = found / (QUERIES * K);
        rows.push(
          { measure: `search ef=${ef}: mean`, value: meanMs, unit: 'ms' },
          { measure: `search ef=${ef}: p99`, value: p99Ms, unit: 'ms' },
          { measure: `search ef=${ef}: recall@${K}`, value: recall, unit: '' },
        );
        details[`ef${ef}`] = { meanMs, p99Ms, recall, topHitSamePerson: topIsSamePerson / QUERIES };
      }
      return {
        name: this.name,
        rows,
        notes: [
          `${QUERIES} queries, each a fresh sample of a random identity; recall@${K} is against exact brute force`,
          'search latency is FaceDatabase.search: Float32Array→Array, hnswlib searchKnn, and the SQLite lookup of the hits',
          'hnswlib M=16, efConstruction=200, single-threaded addPoint; open and RSS are measured in a fresh process',
        ],
        details,
      };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};

/** Opens the built database in a fresh Node process, so RSS counts the index and nothing the build left behind. */
async function measureLoadInChild(dataDir: string, models: { name: string; dims: number }[]): Promise<{ openMs: number; rssDeltaBytes: number }> {
  const door = pathToFileURL(resolve('src/faces/index.ts')).href;
  const logger = pathToFileURL(resolve('src/logger.ts')).href;
  const script = `
    const { openFaceDatabase } = await import(${JSON.stringify(door)});
    const { silentLogger } = await import(${JSON.stringify(logger)});
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const database = await openFaceDatabase(${JSON.stringify({ dataDir, profile: PROFILE, models })}, silentLogger);
    const openMs = performance.now() - started;
    const rssDeltaBytes = process.memoryUsage().rss - before;
    await database.close();
    process.stdout.write(JSON.stringify({ openMs, rssDeltaBytes }));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`load measurement failed (exit ${code})`);
  return JSON.parse(output) as { openMs: number; rssDeltaBytes: number };
}

function bruteForceTopK(vectors: Float32Array, query: Float32Array, size: number, k: number): number[] {
  const best: { index: number; score: number }[] = [];
  for (let i = 0; i < size; i++) {
    const offset = i * DIMS;
    let score = 0;
    for (let d = 0; d < DIMS; d++) score += vectors[offset + d]! * query[d]!;
    if (best.length < k || score > best[best.length - 1]!.score) {
      best.push({ index: i, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
    }
  }
  return best.map((entry) => entry.index);
}

type Random = () => number;

function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalise(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

function randomUnit(random: Random): Float32Array {
  return normalise(Float32Array.from({ length: DIMS }, () => gaussian(random)));
}

function sampleAround(centroid: Float32Array, random: Random): Float32Array {
  return normalise(Float32Array.from(centroid, (value) => value + SIGMA * gaussian(random)));
}
