// A distributed batch with real parts: redis-server, the Stash double, an in-process coordinating sidecar
// (WORKER=false) and worker-only sidecars as child processes (`stash-sense serve` with WORKER_ONLY=true).
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAGBACK_QUEUE } from '../../src/queue/index.js';
import { openTestApp } from '../helpers/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { copyFaceDatabase, startQueueWorker, type QueueWorkerProcess } from '../helpers/queue-worker.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from '../tagback/scene-fixtures.js';

const temp = makeTempDir();
const media = createMediaCache();
let redis: TestRedis;
let sidecar: StashSidecar;
const workers = new Map<string, QueueWorkerProcess>();

/** Short enough to see a dead worker's scene retried within a test (BullMQ's default is 30 s), long enough that a
 * worker starved of CPU on a loaded machine keeps its lock, so no live worker's scene is taken from it. */
const LOCK_MS = '10000';
/** Several processes loading models on a shared 2-core machine: generous limits, never a measure of speed. */
const SETUP_LIMIT_MS = 600_000;
const TEST_LIMIT_MS = 400_000;
const coordinatorEnv = (queueUrl: string) => ({ SCENE_FRAMES: '4', QUEUE_URL: queueUrl, WORKER: 'false', QUEUE_LOCK_MS: LOCK_MS });

const jobFields = `id status progress { done total }
  tagBack { applied recommended failed items { sceneId outcome added recommendations worker error } workers { name scenes } }`;

interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
  tagBack: {
    applied: number;
    recommended: number;
    failed: number;
    items: { sceneId: string; outcome: string; added: string[]; recommendations: string[]; worker: string | null; error: string | null }[];
    workers: { name: string; scenes: number }[];
  };
}

beforeAll(async () => {
  redis = await startRedis(temp.path);
  sidecar = await startStashSidecar(temp.path, {
    stash: await buildBatchScenes(media, temp.path),
    stashIds: { obama: obamaStashId },
    env: coordinatorEnv(redis.url),
    app: { runJobs: true },
  });
  // Workers get the coordinator's face database as the README says: a copy of performers.db and its index files.
  for (const name of ['w1', 'w2']) copyFaceDatabase(join(temp.path, 'data'), join(temp.path, name));
  await Promise.all([startWorker('w1'), startWorker('w2'), startWorker('w-other')]);
}, SETUP_LIMIT_MS);
afterAll(async () => {
  for (const worker of workers.values()) worker.child.kill('SIGKILL');
  await sidecar?.close();
  await redis?.close();
  media.close();
  temp.remove();
});

function startWorker(name: string): Promise<QueueWorkerProcess> {
  const started = startQueueWorker({
    name,
    dataDir: join(temp.path, name),
    queueUrl: redis.url,
    stash: sidecar.double,
    env: { SCENE_FRAMES: '4', QUEUE_LOCK_MS: LOCK_MS, STASH_TIMEOUT_MS: '2000' },
  });
  return started.then((worker) => {
    workers.set(name, worker);
    return worker;
  });
}

/** Scene ids in a worker's log lines `scene step <what>`, from `from` characters on. */
function stepLines(name: string, what: 'started' | 'done', from = 0): string[] {
  const log = workers.get(name)!.log().slice(from);
  return [...log.matchAll(new RegExp(`scene step ${what} .*?sceneId=(\\S+)`, 'g'))].map((match) => match[1]!);
}

async function startJob(input: Record<string, unknown>): Promise<JobView> {
  const { data, errors } = await sidecar.server.graphql<{ startTagBack: JobView }>(`mutation($input: TagBackInput!) { startTagBack(input: $input) { ${jobFields} } }`, { input });
  expect(errors).toBeUndefined();
  return data!.startTagBack;
}

async function readJob(id: string): Promise<JobView> {
  const { data, errors } = await sidecar.server.graphql<{ job: JobView }>(`query($id: ID!) { job(id: $id) { ${jobFields} } }`, { id });
  expect(errors).toBeUndefined();
  return data!.job;
}

async function waitForJob(id: string, until: (job: JobView) => boolean = (job) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)): Promise<JobView> {
  for (;;) {
    const job = await readJob(id);
    if (until(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Scenes 1–3 back to no performers and the mutation record cleared, so each test starts from the same library. */
function resetLibrary(): void {
  for (const id of ['1', '2', '3']) sidecar.double.store.scenes.get(id)!.performerIds = [];
  sidecar.double.mutations.length = 0;
}

function writtenSceneIds(): string[] {
  return sidecar.double.mutations
    .filter((m) => m.field === 'bulkSceneUpdate')
    .flatMap((m) => (m.args as { input: { ids: string[] } }).input.ids)
    .sort();
}

describe('batch tag-back over BullMQ (QUEUE_URL)', () => {
  it('two workers share a batch: every scene identified once and written at most once', async () => {
    const marks = { w1: workers.get('w1')!.log().length, w2: workers.get('w2')!.log().length };
    const job = await startJob({ scope: 'ALL_SCENES', autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    const done = await waitForJob(job.id);

    expect(done.status).toBe('COMPLETED');
    expect(done.progress).toEqual({ done: 5, total: 5 });
    const outcome = Object.fromEntries(done.tagBack.items.map((item) => [item.sceneId, item]));
    expect(done.tagBack.items.map((item) => item.sceneId)).toEqual(['1', '2', '3', '4', '5']);
    expect(outcome['1']).toMatchObject({ outcome: 'APPLIED', added: ['21'] });
    expect(outcome['2']).toMatchObject({ outcome: 'APPLIED', added: ['22'] });
    // Scene 3 (a small, softened face) is a sure match under the calibrated confidence (README, Recognition accuracy).
    expect(outcome['3']).toMatchObject({ outcome: 'APPLIED', added: ['23'] });
    expect(outcome['4']!.outcome).toBe('NO_FACES');
    expect(outcome['5']!.outcome).toBe('ALREADY_TAGGED');

    // Which worker did what: every scene names w1 or w2, and the tally adds up.
    for (const item of done.tagBack.items) expect(['w1', 'w2']).toContain(item.worker);
    expect(done.tagBack.workers.reduce((sum, worker) => sum + worker.scenes, 0)).toBe(5);
    const identified = [...stepLines('w1', 'done', marks.w1), ...stepLines('w2', 'done', marks.w2)].sort();
    expect(identified).toEqual(['1', '2', '3', '4', '5']);
    expect(stepLines('w-other', 'done')).toEqual([]);

    // Each confident scene written once, ADD only; nothing was left for review.
    expect(writtenSceneIds()).toEqual(['1', '2', '3']);
    for (const mutation of sidecar.double.mutations.filter((m) => m.field === 'bulkSceneUpdate')) {
      expect((mutation.args as { input: { performer_ids: { mode: string } } }).input.performer_ids.mode).toBe('ADD');
    }
    const recs = await sidecar.server.graphql<{ recommendations: { edges: { node: { targets: { type: string; id: string }[] } }[] } }>(
      `{ recommendations(filter: { type: SCENE_PERFORMER }) { edges { node { targets { type id } } } } }`,
    );
    expect(recs.data!.recommendations.edges).toEqual([]);

    // The coordinator recorded the identifications, so the same batch again skips every scene and writes nothing.
    const rerun = await waitForJob((await startJob({ scope: 'ALL_SCENES' })).id);
    expect(rerun.tagBack.items.map((item) => item.outcome)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(writtenSceneIds()).toEqual(['1', '2', '3']);
  }, TEST_LIMIT_MS);

  it('a worker with another face database refuses the steps, and they go to the workers that have it', async () => {
    // The right workers are paused (SIGSTOP), so the step can only reach the wrong one first.
    const right = [workers.get('w1')!, workers.get('w2')!];
    const other = workers.get('w-other')!;
    const mark = other.log().length;
    for (const worker of right) worker.child.kill('SIGSTOP');
    let job: JobView;
    try {
      job = await startJob({ scope: 'SCENE_IDS', sceneIds: ['4'], force: true, dryRun: true });
      // A refused step waits as a delayed job for a worker with the right database.
      const queue = new Queue(TAGBACK_QUEUE, { connection: { url: redis.url } });
      try {
        while ((await queue.getDelayedCount()) === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await queue.close();
      }
    } finally {
      for (const worker of right) worker.child.kill('SIGCONT');
    }
    const done = await waitForJob(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(['w1', 'w2']).toContain(done.tagBack.items[0]!.worker);
    expect(stepLines('w-other', 'done', mark)).toEqual([]);
  }, TEST_LIMIT_MS);

  it('cancelJob stops every worker between scenes', async () => {
    resetLibrary();
    const marks = { w1: workers.get('w1')!.log().length, w2: workers.get('w2')!.log().length };
    const job = await startJob({ scope: 'ALL_SCENES', force: true, autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    await waitForJob(job.id, (view) => view.progress.done >= 1);
    const { data } = await sidecar.server.graphql<{ cancelJob: { id: string } }>(`mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: job.id });
    expect(data!.cancelJob.id).toBe(job.id);
    const cancelled = await waitForJob(job.id);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.progress.done).toBeLessThan(5);

    // Let the scenes the workers held when the cancel came finish, then count what was started at all:
    // at most one scene per worker past the ones done, never the whole batch.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const started = [...stepLines('w1', 'started', marks.w1), ...stepLines('w2', 'started', marks.w2)];
    expect(started.length).toBeLessThanOrEqual(cancelled.progress.done + 2);
    expect(started.length).toBeLessThan(5);
  }, TEST_LIMIT_MS);

  it('a Redis outage pauses the batch and it resumes, still writing each scene once', async () => {
    resetLibrary();
    const job = await startJob({ scope: 'ALL_SCENES', force: true, autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    await waitForJob(job.id, (view) => view.progress.done >= 1);
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = await readJob(job.id);
    expect(during.status).toBe('RUNNING');
    await redis.start();

    const done = await waitForJob(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.tagBack.items.map((item) => item.sceneId)).toEqual(['1', '2', '3', '4', '5']);
    expect(done.tagBack.failed).toBe(0);
    expect(writtenSceneIds()).toEqual(['1', '2', '3']);
    expect(sidecar.double.store.scenes.get('1')?.performerIds).toEqual(['21']);
    // Every worker rode the outage out: none exited.
    expect([...workers.values()].map((worker) => [worker.name, worker.child.exitCode])).toEqual([...workers.keys()].map((name) => [name, null]));
  }, TEST_LIMIT_MS);

  it('the coordinating sidecar restarts mid-batch: the batch resumes, still writing each scene once', async () => {
    resetLibrary();
    const job = await startJob({ scope: 'ALL_SCENES', force: true, autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    await waitForJob(job.id, (view) => view.progress.done >= 1);
    await sidecar.server.close();
    await sidecar.app.close();

    const { double } = sidecar;
    const { app } = await openTestApp(join(temp.path, 'data'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', ...coordinatorEnv(redis.url) }, { runJobs: true });
    const server = await startTestServer(app);
    sidecar = {
      app,
      double,
      server,
      async close() {
        await server.close();
        await app.close();
        await double.close();
      },
    };
    const done = await waitForJob(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.tagBack.items.map((item) => item.sceneId)).toEqual(['1', '2', '3', '4', '5']);
    expect(done.tagBack.failed).toBe(0);
    expect(writtenSceneIds()).toEqual(['1', '2', '3']);
  }, TEST_LIMIT_MS);

  it('a worker SIGKILLed mid-scene: another retries its scene after stall detection, with no duplicate write', async () => {
    resetLibrary();
    const victim = workers.get('w1')!;
    const mark = victim.log().length;
    const job = await startJob({ scope: 'ALL_SCENES', force: true, autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stepLines('w1', 'started', mark).length > 0) {
          clearInterval(poll);
          victim.child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await victim.exited;
    const killedIn = stepLines('w1', 'started', mark)[0]!;

    const done = await waitForJob(job.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.tagBack.items.map((item) => item.sceneId)).toEqual(['1', '2', '3', '4', '5']);
    expect(done.tagBack.failed).toBe(0);
    expect(done.tagBack.items.find((item) => item.sceneId === killedIn)?.worker).toBe('w2');
    expect(writtenSceneIds()).toEqual(['1', '2', '3']);
    expect(sidecar.double.store.scenes.get('1')?.performerIds).toEqual(['21']);
    expect(sidecar.double.store.scenes.get('2')?.performerIds).toEqual(['22']);
  }, TEST_LIMIT_MS);
});
