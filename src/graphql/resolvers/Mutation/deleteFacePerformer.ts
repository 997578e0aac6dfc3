import type { MutationResolvers } from './../../types.generated.js';

export const deleteFacePerformer: NonNullable<MutationResolvers['deleteFacePerformer']> = (_parent, { id }, { faceManagement }) => faceManagement.deletePerformer(id);
