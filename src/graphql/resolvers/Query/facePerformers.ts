import type { QueryResolvers } from './../../types.generated.js';

export const facePerformers: NonNullable<QueryResolvers['facePerformers']> = (_parent, { search, first, offset }, { faceManagement }) =>
  faceManagement.searchPerformers({ search, first, offset });
