import type { MutationResolvers } from './../../types.generated.js';

export const createPerformerFromStashBox: NonNullable<MutationResolvers['createPerformerFromStashBox']> = (_parent, { endpoint, stashId, sceneId }, { stashBoxLinks }) =>
  stashBoxLinks.createFromStashBox({ endpoint, stashId, sceneId });
