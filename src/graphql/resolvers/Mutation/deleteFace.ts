import type { MutationResolvers } from './../../types.generated.js';

export const deleteFace: NonNullable<MutationResolvers['deleteFace']> = (_parent, { id }, { faceManagement }) => faceManagement.deleteFace(id);
