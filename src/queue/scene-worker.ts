// The BullMQ worker: takes scene steps from the shared queue, as many at once as this host's setting allows.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { TAGBACK_QUEUE } from './keys.js';
import type { SceneStepRunner } from './scene-step.js';
import type { SceneStepData } from './types.js';

export interface SceneWorkerOptions {
  connection: Redis;
  steps: SceneStepRunner;
  name: string;
  concurrency: number;
  /** BullMQ's lock: renewed at half this while a step runs; a worker silent for this long is taken for dead. */
  lockMs: number;
  logger: Logger;
}

export interface SceneWorker {
  close(): Promise<void>;
}

/** A refused step (other face database) goes back for this long, for a worker with the right one. */
const REFUSED_DELAY_MS = 5000;
/** A step whose worker died this many times fails instead of taking down yet another worker. */
const MAX_STALLED_COUNT = 2;

export function startSceneWorker(options: SceneWorkerOptions): SceneWorker {
  const { steps, logger } = options;
  const controller = new AbortController();
  const warnedVersions = new Set<string>();

  const process = async (job: Job<SceneStepData>, token?: string) => {
    const outcome = await steps.run(job.data, controller.signal);
    if (outcome.kind === 'refused') {
      if (!warnedVersions.has(job.data.databaseVersion)) {
        warnedVersions.add(job.data.databaseVersion);
        logger.warn('scene step refused: this worker has another face database', { batchId: job.data.batchId, wanted: job.data.databaseVersion, have: outcome.version });
      }
      await job.moveToDelayed(Date.now() + REFUSED_DELAY_MS, token);
      throw new DelayedError();
    }
    return outcome.kind;
  };

  const worker = new Worker<SceneStepData, string>(TAGBACK_QUEUE, process, {
    connection: options.connection,
    concurrency: options.concurrency,
    name: options.name,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: MAX_STALLED_COUNT,
  });
  worker.on('failed', (job, error) => {
    // finishedOn is set only when BullMQ gives up on the step: no attempt left, or it stalled too often.
    if (!job || job.finishedOn === undefined) {
      logger.warn('scene step failed; it will be retried', { jobId: job?.id, error: error.message });
      return;
    }
    logger.warn('scene step failed for good', { batchId: job.data.batchId, sceneId: job.data.sceneId, error: error.message });
    steps.reportFailed(job.data, error.message).catch((reportError: unknown) => logger.error('failed step could not be reported', { jobId: job.id, error: errorMessage(reportError) }));
  });
  // Connection trouble is logged by the connection itself; BullMQ reconnects and carries on.
  worker.on('error', () => undefined);
  logger.info('queue worker started', { name: options.name, concurrency: options.concurrency, queue: TAGBACK_QUEUE });

  return {
    async close() {
      controller.abort();
      await worker.close();
      logger.info('queue worker closed', { name: options.name });
    },
  };
}
