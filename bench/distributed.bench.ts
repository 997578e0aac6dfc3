// Batch tag-back spread over BullMQ on Redis: scenes per minute with one and with two worker processes on the
// same batch, and the queue's overhead per scene against the embedded SQLite runner (same process, same scenes).
import { join } from 'node:path';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { splitPeople, writeEnrolmentFolder } from '../test/helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../test/helpers/fixtures.js';
import { copyFaceDatabase, startQueueWorker, type QueueWorkerProcess } from '../test/helpers/queue-worker.js';
import { startRedis } from '../test/helpers/redis.js';
import { buildSceneVideo, createMediaCache, createStashDouble, facePhoto, type SceneFixture } from '../test/stash-double/index.js';
import type { Benchmark, BenchRow } from './report.js';

const sceneCount = Number(process.env.BENCH_DISTRIBUTED_SCENES ?? 12);
const frames = Number(process.env.BENCH_DISTRIBUTED_FRAMES ?? 8);
/** Scenes Stash does not have: each step is one Stash lookup, so the time is the runner's own cost per scene. */
const overheadScenes = Number(process.env.BENCH_DISTRIBUTED_OVERHEAD_SCENES ?? 100);

export const benchmark: Benchmark = {
  name: 'distributed',
  async run() {
    const temp = makeTempDir('stash-sense-bench-');
    const media = createMediaCache();
    const redis = await startRedis(temp.path);
    const workers: QueueWorkerProcess[] = [];
    try {
      writeEnrolmentFolder(join(temp.path, 'people'), splitPeople().enrolled);
      const video = await buildSceneVideo(media, { segments: [{ photo: facePhoto('people/kit_harington/02.jpg'), seconds: 4 }] });
      const scenes: SceneFixture[] = Array.from({ length: sceneCount }, (_, i) => ({
        id: String(i + 1),
        title: `Batch ${i}`,
        files: [{ duration: video.durationSeconds, width: video.width, height: video.height, oshash: `dist${i}` }],
        media: { stream: { file: video.path } },
      }));
      const double = await createStashDouble({ scenes, performers: [{ id: '1', name: 'kit_harington' }] });
      const env = (dataDir: string, extra: Record<string, string> = {}) =>
        loadConfig({ DATA_DIR: dataDir, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: String(frames), ...extra });
      const rows: BenchRow[] = [];
      const sceneIds = scenes.map((scene) => scene.id);
      // A dry run with force identifies every scene every pass and changes nothing, so the passes compare.
      const missingIds = Array.from({ length: overheadScenes }, (_, i) => String(10_000 + i));
      const runBatch = async (app: App, pass: string, processes: number, ids: string[] = sceneIds) => {
        const started = performance.now();
        const job = app.services.jobs.startTagBack({ scope: 'SCENE_IDS', sceneIds: ids, dryRun: true, force: true, sources: ['STREAM'] });
        let final = job;
        for await (const update of app.services.jobs.subscribe(job.id)) final = update;
        const ms = performance.now() - started;
        const summary = app.services.jobs.tagBackSummary(final);
        const perWorker = Object.entries(
          (summary?.items ?? []).reduce<Record<string, number>>((tally, item) => ({ ...tally, [item.worker ?? 'local']: (tally[item.worker ?? 'local'] ?? 0) + 1 }), {}),
        )
          .map(([name, count]) => `${name}:${count}`)
          .join(' ');
        rows.push({ pass, 'worker processes': processes, scenes: ids.length, 'total ms': Math.round(ms), 'ms/scene': Number((ms / ids.length).toFixed(1)), 'scenes/min': Number(((ids.length / ms) * 60_000).toFixed(1)), 'scenes per worker': perWorker, status: final.status });
        return ms;
      };

      // Embedded runner, then the queue with a worker in the same process: the difference is the queue's cost.
      const local = await openApp(env(join(temp.path, 'local')), silentLogger, { runJobs: true });
      let sqliteMs: number;
      let queuedMs: number;
      let sqliteLookupMs: number;
      let queuedLookupMs: number;
      try {
        await local.services.enroll.enrollFolder(join(temp.path, 'people'));
        await runBatch(local, 'warm-up (SQLite runner)', 1);
        rows.pop();
        sqliteMs = await runBatch(local, 'SQLite runner (no QUEUE_URL)', 1);
        sqliteLookupMs = await runBatch(local, 'SQLite runner, missing scenes (runner cost)', 1, missingIds);
      } finally {
        await local.close();
      }
      copyFaceDatabase(join(temp.path, 'local'), join(temp.path, 'queued'));
      const queued = await openApp(env(join(temp.path, 'queued'), { QUEUE_URL: redis.url, WORKER_NAME: 'in-process' }), silentLogger, { runJobs: true });
      try {
        queuedMs = await runBatch(queued, 'queue, worker in the same process', 1);
        queuedLookupMs = await runBatch(queued, 'queue, missing scenes (runner cost)', 1, missingIds);
      } finally {
        await queued.close();
      }

      // A coordinator that only coordinates, and one then two worker-only processes.
      copyFaceDatabase(join(temp.path, 'local'), join(temp.path, 'coordinator'));
      const coordinator = await openApp(env(join(temp.path, 'coordinator'), { QUEUE_URL: redis.url, WORKER: 'false' }), silentLogger, { runJobs: true });
      try {
        for (const count of [1, 2]) {
          while (workers.length < count) {
            const name = `w${workers.length + 1}`;
            copyFaceDatabase(join(temp.path, 'local'), join(temp.path, name));
            workers.push(await startQueueWorker({ name, dataDir: join(temp.path, name), queueUrl: redis.url, stash: double, env: { SCENE_FRAMES: String(frames) } }));
          }
          await runBatch(coordinator, `queue, ${count} worker-only process${count > 1 ? 'es' : ''}`, count);
        }
      } finally {
        await coordinator.close();
      }
      await double.close();
      const overheadMs = (queuedMs - sqliteMs) / sceneCount;
      const lookupOverheadMs = (queuedLookupMs - sqliteLookupMs) / overheadScenes;
      return {
        name: `distributed batch tag-back (${sceneCount} scenes of 4 s 640p, ${frames} frames each, dry run)`,
        rows,
        notes: [
          `queue overhead per scene vs the SQLite runner: ${lookupOverheadMs.toFixed(1)} ms measured on ${overheadScenes} scenes Stash does not have (one lookup each, no identification); ${overheadMs.toFixed(0)} ms on the real scenes, where identification time and its noise dominate`,
          'every worker process loads its own models and face database (not timed); on one machine they share its cores, so two workers show overhead more than speed-up',
        ],
        details: { overheadMsPerScene: lookupOverheadMs, overheadMsPerRealScene: overheadMs, sqliteMs, queuedMs, sqliteLookupMs, queuedLookupMs },
      };
    } finally {
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => worker.exited));
      await redis.close();
      media.close();
      temp.remove();
    }
  },
};
