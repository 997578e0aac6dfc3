import type { MutationResolvers } from './../../types.generated.js';

export const cancelJob: NonNullable<MutationResolvers['cancelJob']> = (_parent, { id }, { jobs }) => jobs.cancel(id);
