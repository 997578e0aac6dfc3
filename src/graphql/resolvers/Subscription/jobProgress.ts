import type { Job } from '../../../jobs/index.js';
import type { SubscriptionResolvers } from './../../types.generated.js';

export const jobProgress: NonNullable<SubscriptionResolvers['jobProgress']> = {
  subscribe: (_parent, { id }, { jobs }) => jobs.subscribe(id),
  resolve: (job: Job) => job,
};
