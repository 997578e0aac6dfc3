import type { QueryResolvers } from './../../types.generated.js';

export const searchStashPerformers: NonNullable<QueryResolvers['searchStashPerformers']> = (_parent, { query, first }, { stashBoxLinks }) =>
  stashBoxLinks.searchPerformers(query, first);
