import { tallyWorkers } from '../../queue/index.js';
import type { TagBackSummaryResolvers } from './../types.generated.js';

export const TagBackSummary: TagBackSummaryResolvers = {
  workers: ({ items }) => tallyWorkers(items),
};
