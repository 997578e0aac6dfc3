import type { MutationResolvers } from './../../types.generated.js';

export const mergeFacePerformers: NonNullable<MutationResolvers['mergeFacePerformers']> = (_parent, { from, into }, { faceManagement }) =>
  faceManagement.mergePerformers(from, into);
