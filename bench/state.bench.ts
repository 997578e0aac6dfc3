// Write latency of stash_sense.db: step records, recommendation upserts and progress updates, alone and while a
// batch writes from another thread and two readers page through recommendations (as GraphQL would).
// better-sqlite3 is synchronous, so the concurrent parts are worker threads with their own connections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { silentLogger } from '../src/logger.js';
import { openStateDatabase, type RecommendationInput, type StateDatabase } from '../src/state/index.js';
import type { BenchRow, Benchmark, BenchSection } from './report.js';

type Synchronous = 'full' | 'normal';

interface WorkerData {
  role: 'batch' | 'reader';
  dataDir: string;
  stop: SharedArrayBuffer;
  synchronous: Synchronous;
}

interface WorkerStats {
  role: string;
  operations: number;
  seconds: number;
  latenciesMs: number[];
}

const PRELOADED = 5000;
const SAMPLES = 400;
const PAUSE_MS = 1;

export const benchmark: Benchmark = {
  name: 'state database writes under load',
  async run(): Promise<BenchSection> {
    const rows: BenchRow[] = [];
    for (const synchronous of ['full', 'normal'] as const) rows.push(...(await measureMode(synchronous)));
    return {
      name: 'state database writes under load',
      rows,
      notes: [
        `${PRELOADED} recommendations preloaded; WAL, busy_timeout 5 s; data dir on ${tmpdir()}; sync = PRAGMA synchronous`,
        'step record = saveIdentification + step done in one transaction (what JobContext.step/runStep commit)',
        `main thread: ${SAMPLES} of each write, ${PAUSE_MS} ms apart, so other connections get the lock in between`,
        'batch worker: one transaction of 20 recommendation upserts and a progress write, every 5 ms',
        'reader workers: listRecommendations(pending, 50) with counts, half of them filtered by target, back to back',
      ],
    };
  },
};

async function measureMode(synchronous: Synchronous): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'state-bench-'));
  const state = await openStateDatabase(dataDir, silentLogger, { synchronous });
  try {
    state.transaction(() => {
      for (let i = 0; i < PRELOADED; i++) state.upsertRecommendation(recommendation(i, 0));
    });
    const rows: BenchRow[] = (await measureWrites(state, 0)).map((row) => ({ sync: synchronous, load: 'none', ...row }));

    const stop = new SharedArrayBuffer(4);
    const workers = [
      startWorker({ role: 'batch', dataDir, stop, synchronous }),
      startWorker({ role: 'reader', dataDir, stop, synchronous }),
      startWorker({ role: 'reader', dataDir, stop, synchronous }),
    ];
    await Promise.all(workers.map((worker) => worker.ready));
    const load = 'batch + 2 readers';
    rows.push(...(await measureWrites(state, 1)).map((row) => ({ sync: synchronous, load, ...row })));
    Atomics.store(new Int32Array(stop), 0, 1);
    for (const stat of await Promise.all(workers.map((worker) => worker.stats))) {
      rows.push({
        sync: synchronous,
        load,
        operation: stat.role === 'batch' ? 'batch tx: 20 upserts + progress (worker)' : 'list 50 + counts (reader worker)',
        samples: stat.operations,
        perSec: round(stat.operations / stat.seconds),
        ...percentiles(stat.latenciesMs),
      });
    }
    return rows;
  } finally {
    await state.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureWrites(state: StateDatabase, round: number): Promise<BenchRow[]> {
  const job = state.jobStore.insertJob('bench', {});
  const steps: number[] = [];
  const upserts: number[] = [];
  const progress: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    let started = performance.now();
    state.transaction((tx) => {
      tx.saveIdentification({ kind: 'scene', targetId: `${round}-${i}`, databaseVersion: 'bench', result: { persons: [{ id: i }] }, createdAt: new Date().toISOString() });
      state.jobStore.recordStepDone(job.id, `scene:${i}`, { outcome: 'applied', added: [String(i)] });
    });
    steps.push(performance.now() - started);
    await sleep(PAUSE_MS);

    started = performance.now();
    state.upsertRecommendation(recommendation(PRELOADED + round * SAMPLES + i, round));
    upserts.push(performance.now() - started);
    await sleep(PAUSE_MS);

    started = performance.now();
    state.jobStore.saveJobProgress(job.id, { done: i, total: SAMPLES, current: `scene ${i}`, ratePerMin: 60, etaSec: SAMPLES - i });
    progress.push(performance.now() - started);
    await sleep(PAUSE_MS);
  }
  return [
    { operation: 'step record (main)', samples: SAMPLES, ...percentiles(steps) },
    { operation: 'recommendation upsert (main)', samples: SAMPLES, ...percentiles(upserts) },
    { operation: 'progress write (main)', samples: SAMPLES, ...percentiles(progress) },
  ];
}

function recommendation(i: number, generation: number): RecommendationInput {
  return {
    type: i % 3 === 0 ? 'scene_performer' : i % 3 === 1 ? 'duplicate_scene' : 'scene_files',
    targets: [
      { type: 'scene', id: String(i % 2000) },
      { type: 'performer', id: String(i) },
    ],
    payload: { name: `Performer ${i}`, frames: [1, 2, 3], generation },
    confidence: (i % 100) / 100,
    evidence: { i, generation },
  };
}

function startWorker(data: WorkerData): { ready: Promise<void>; stats: Promise<WorkerStats> } {
  // A worker does not inherit tsx's loader (nor take --import on Node 20), so it registers tsx, then loads this file.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const stats = new Promise<WorkerStats>((resolve, reject) => {
    worker.on('message', (message: 'ready' | WorkerStats) => (message === 'ready' ? onReady() : resolve(message)));
    worker.on('error', reject);
  });
  return { ready, stats };
}

async function runWorker(data: WorkerData): Promise<void> {
  const stop = new Int32Array(data.stop);
  const state = await openStateDatabase(data.dataDir, silentLogger, { synchronous: data.synchronous });
  const latencies: number[] = [];
  const started = performance.now();
  let operations = 0;
  parentPort!.postMessage('ready');
  if (data.role === 'batch') {
    const job = state.jobStore.insertJob('bench-batch', {});
    let next = 100_000;
    while (Atomics.load(stop, 0) === 0) {
      const at = performance.now();
      state.transaction((tx) => {
        for (let i = 0; i < 20; i++) tx.upsertRecommendation(recommendation(next++, 2));
      });
      state.jobStore.saveJobProgress(job.id, { done: operations, total: null, current: null, ratePerMin: null, etaSec: null });
      latencies.push(performance.now() - at);
      operations++;
      await sleep(5);
    }
  } else {
    while (Atomics.load(stop, 0) === 0) {
      const at = performance.now();
      const page = state.listRecommendations({ status: 'pending', targetId: operations % 2 ? String(operations % 2000) : null }, 50);
      if (page.edges.length === 0 && page.totalCount > 0) throw new Error('empty page');
      latencies.push(performance.now() - at);
      operations++;
    }
  }
  await state.close();
  parentPort!.postMessage({ role: data.role, operations, seconds: (performance.now() - started) / 1000, latenciesMs: latencies } satisfies WorkerStats);
}

function percentiles(values: number[]): BenchRow {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted.at(-1) ?? Number.NaN) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (!isMainThread && (workerData as Partial<WorkerData> | null)?.role) await runWorker(workerData as WorkerData);
