import type { MutationResolvers } from './../../types.generated.js';

export const editFacePerformer: NonNullable<MutationResolvers['editFacePerformer']> = (_parent, { id, edit }, { faceManagement }) =>
  faceManagement.editPerformer(id, { name: edit.name ?? undefined, aliases: edit.aliases ?? undefined, stashIds: edit.stashIds ?? undefined });
