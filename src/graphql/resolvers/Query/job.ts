import type { QueryResolvers } from './../../types.generated.js';

export const job: NonNullable<QueryResolvers['job']> = (_parent, { id }, { jobs }) => jobs.get(id) ?? null;
