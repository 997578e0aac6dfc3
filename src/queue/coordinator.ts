// The coordinating sidecar's side of a distributed batch. It runs as the `tagBack` handler of the embedded job
// runner, so jobs, job(id), jobProgress and cancelJob work as for a local batch: it lists the scenes, queues one
// step per scene for the workers, and records each step's result (and its recommendations) in its own state as
// the step `plan:<sceneId>`, exactly where a local batch records it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { FaceDatabase } from '../faces/index.js';
import type { JobContext, StepRecord } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import type { IdentificationStore } from '../state/index.js';
import type { StashClient } from '../stash/index.js';
import { listScopeSceneIds, summarise, type ScenePerformerRecorder, type TagBackItem, type TagBackJobInput, type TagBackSummary } from '../tagback/index.js';
import { CANCELLED_ROUND, batchKeys, type BatchKeys } from './keys.js';
import type { TagBackQueue } from './tagback-queue.js';
import type { SceneStepResult } from './types.js';

export interface DistributedTagBackDeps {
  queue: TagBackQueue;
  stash: () => StashClient;
  identifications: IdentificationStore;
  recommendations: ScenePerformerRecorder;
  faces: () => FaceDatabase;
  /** The job's recorded steps, to resume without queueing finished scenes again. */
  steps(jobId: string): StepRecord[];
  /** Whether the job's abort is a cancel (stop every worker's part) rather than this process shutting down. */
  cancelRequested(jobId: string): boolean;
  logger: Logger;
}

/** How long one read of the results stream waits before checking for a cancel. */
const READ_BLOCK_MS = 1000;
const READ_COUNT = 100;

export function createDistributedTagBack(deps: DistributedTagBackDeps) {
  const { logger } = deps;
  return async function runDistributedTagBack(ctx: JobContext<TagBackJobInput>): Promise<TagBackSummary> {
    const { input, signal, job } = ctx;
    const batchId = await ctx.runStep('batch', { run: async () => randomUUID() });
    const sceneIds = await ctx.runStep('scope', { run: () => listScopeSceneIds(deps.stash(), input, signal) });
    const identifiedBefore = new Set(
      await ctx.runStep('identified-before', {
        run: async () => (input.force ? [] : [...deps.identifications.targetsIdentifiedWith('scene', deps.faces().info().version, sceneIds)]),
      }),
    );
    const items = new Map<string, TagBackItem>();
    for (const step of deps.steps(job.id)) {
      if (step.status === 'done' && step.key.startsWith('plan:')) items.set(step.key.slice('plan:'.length), (step.result as { item: TagBackItem }).item);
    }
    for (const sceneId of identifiedBefore) {
      if (!items.has(sceneId)) items.set(sceneId, ctx.step(`plan:${sceneId}`, () => ({ item: skipped(sceneId), add: [] as string[] })).item);
    }
    const pending = new Set(sceneIds.filter((sceneId) => !items.has(sceneId)));
    ctx.progress({ done: sceneIds.length - pending.size, total: sceneIds.length, current: null });

    const keys = batchKeys(batchId);
    if (pending.size > 0) {
      // A new round each run: steps a previous run queued (before a restart or a cancel) become stale, and the
      // scenes still pending are queued again under this round.
      const round = randomBytes(4).toString('hex');
      await deps.queue.redis.set(keys.round, round);
      const databaseVersion = deps.faces().info().version;
      await deps.queue.addSteps([...pending].map((sceneId) => ({ batchId, round, sceneId, databaseVersion, input })));
      logger.info('batch queued', { jobId: job.id, batchId, scenes: pending.size, databaseVersion });
      try {
        await collectResults(ctx, keys, pending, (sceneId, item) => {
          items.set(sceneId, item);
          ctx.progress({ done: sceneIds.length - pending.size, current: sceneId });
        });
      } catch (error: unknown) {
        if (signal.aborted && deps.cancelRequested(job.id)) {
          await deps.queue.redis.set(keys.round, CANCELLED_ROUND);
          await deps.queue.removeSteps([...pending].map((sceneId) => ({ batchId, round, sceneId })));
          logger.info('batch cancelled on every worker', { jobId: job.id, batchId, pending: pending.size });
        }
        throw error;
      }
    }
    await deps.queue.redis.del(keys.round, keys.plans, keys.results).catch((error: unknown) => logger.warn('batch keys not removed', { batchId, error: errorMessage(error) }));
    const summary = summarise(
      sceneIds.map((sceneId) => items.get(sceneId)!),
      input.dryRun,
    );
    logger.info('tag-back finished', { jobId: job.id, batchId, scenes: summary.scenes, applied: summary.applied, recommended: summary.recommended, failed: summary.failed });
    return summary;
  };

  /** Reads the batch's results stream from its start (a resumed run skips what it recorded) until none is pending. */
  async function collectResults(ctx: JobContext<TagBackJobInput>, keys: BatchKeys, pending: Set<string>, recorded: (sceneId: string, item: TagBackItem) => void): Promise<void> {
    const { signal, input } = ctx;
    // Its own connection: a blocking read would hold up every other command on a shared one.
    const reader = deps.queue.redis.duplicate();
    reader.on('error', () => undefined);
    const aborted = new Promise<never>((_resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    let lastId = '0';
    try {
      while (pending.size > 0) {
        signal.throwIfAborted();
        const reply = await Promise.race([readResults(reader, keys.results, lastId), aborted]);
        if (reply.length === 0) continue;
        for (const [id, result] of reply) {
          lastId = id;
          if (!pending.has(result.sceneId)) continue;
          const item = ctx.step(`plan:${result.sceneId}`, () => {
            if (result.identification) {
              deps.identifications.saveIdentification({
                kind: 'scene',
                targetId: result.sceneId,
                databaseVersion: result.identification.databaseVersion,
                result: result.identification,
                createdAt: result.identification.identifiedAt,
              });
            }
            const scene = result.scene;
            const databaseVersion = result.identification?.databaseVersion;
            const recommendations =
              input.dryRun || !scene || !databaseVersion
                ? []
                : result.suggestions.flatMap((suggestion) => deps.recommendations.recordScenePerformer({ scene, suggestion, databaseVersion }) ?? []);
            return { item: { ...result.item, recommendations, worker: result.worker }, add: result.add };
          }).item;
          pending.delete(result.sceneId);
          recorded(result.sceneId, item);
        }
        // Recorded here now, so Redis lets go of them: it holds only the results (and plans) in flight, not a
        // whole library's identifications.
        await deps.queue.redis
          .multi()
          .xdel(keys.results, ...reply.map(([id]) => id))
          .hdel(keys.plans, ...reply.map(([, result]) => result.sceneId))
          .exec();
      }
    } finally {
      reader.disconnect();
    }
  }
}

async function readResults(reader: Redis, stream: string, afterId: string): Promise<[string, SceneStepResult][]> {
  const reply = await reader.xread('COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', stream, afterId);
  if (!reply) return [];
  return reply.flatMap(([, entries]) => entries.map(([id, fields]): [string, SceneStepResult] => [id, JSON.parse(fields[1] ?? 'null') as SceneStepResult]));
}

function skipped(sceneId: string): TagBackItem {
  return { sceneId, outcome: 'SKIPPED', added: [], recommendations: [], error: null };
}
