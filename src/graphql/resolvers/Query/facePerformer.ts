import type { QueryResolvers } from './../../types.generated.js';

export const facePerformer: NonNullable<QueryResolvers['facePerformer']> = (_parent, { id }, { faceManagement }) => faceManagement.performer(id) ?? null;
