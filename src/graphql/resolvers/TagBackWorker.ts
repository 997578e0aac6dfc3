import type { TagBackWorkerResolvers } from './../types.generated.js';

export const TagBackWorker: TagBackWorkerResolvers = {};
