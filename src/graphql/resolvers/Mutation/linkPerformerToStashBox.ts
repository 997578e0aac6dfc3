import type { MutationResolvers } from './../../types.generated.js';

export const linkPerformerToStashBox: NonNullable<MutationResolvers['linkPerformerToStashBox']> = (_parent, { performerId, endpoint, stashId, sceneId }, { stashBoxLinks }) =>
  stashBoxLinks.linkToStashBox({ performerId, endpoint, stashId, sceneId });
