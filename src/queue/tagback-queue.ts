// The coordinating side of the queue: add a batch's scene steps and take back the ones not started yet.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { TAGBACK_QUEUE, stepJobId } from './keys.js';
import type { SceneStepData } from './types.js';

export interface TagBackQueue {
  redis: Redis;
  addSteps(steps: readonly SceneStepData[]): Promise<void>;
  /** Removes the steps still waiting; one a worker holds is left to finish. */
  removeSteps(steps: readonly Pick<SceneStepData, 'batchId' | 'round' | 'sceneId'>[]): Promise<void>;
  close(): Promise<void>;
}

/** Attempts per step: transient failures (Stash down, a bug) retry with backoff before the scene counts as failed. */
const STEP_ATTEMPTS = 5;
const STEP_BACKOFF_MS = 5000;
/** BullMQ's calls are sent in chunks so a 100,000-scene batch is not one giant request. */
const CHUNK = 500;

export function createTagBackQueue(redis: Redis): TagBackQueue {
  const queue = new Queue<SceneStepData>(TAGBACK_QUEUE, {
    connection: redis,
    defaultJobOptions: {
      attempts: STEP_ATTEMPTS,
      backoff: { type: 'exponential', delay: STEP_BACKOFF_MS },
      // Results travel in the batch's own stream; finished jobs only need to stay long enough to dedupe re-adds.
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  // Connection trouble is logged by the connection itself.
  queue.on('error', () => undefined);
  return {
    redis,
    async addSteps(steps) {
      for (let start = 0; start < steps.length; start += CHUNK) {
        const chunk = steps.slice(start, start + CHUNK);
        await queue.addBulk(chunk.map((data) => ({ name: 'scene', data, opts: { jobId: stepJobId(data.batchId, data.round, data.sceneId) } })));
      }
    },
    async removeSteps(steps) {
      for (let start = 0; start < steps.length; start += CHUNK) {
        await Promise.all(steps.slice(start, start + CHUNK).map((step) => queue.remove(stepJobId(step.batchId, step.round, step.sceneId))));
      }
    },
    close: () => queue.close(),
  };
}
