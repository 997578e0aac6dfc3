export { openRedis, redisAddress } from './connection.js';
export { createTagBackQueue, type TagBackQueue } from './tagback-queue.js';
export { createDistributedTagBack, type DistributedTagBackDeps } from './coordinator.js';
export { createSceneStepRunner, type SceneStepRunner, type SceneStepDeps, type SceneStepOutcome } from './scene-step.js';
export { startSceneWorker, type SceneWorker, type SceneWorkerOptions } from './scene-worker.js';
export { TAGBACK_QUEUE } from './keys.js';
export type { SceneStepData, SceneStepResult } from './types.js';
export { tallyWorkers, type WorkerTally } from './worker-tally.js';
