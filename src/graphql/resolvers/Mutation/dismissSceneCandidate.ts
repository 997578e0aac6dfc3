import type { MutationResolvers } from './../../types.generated.js';

export const dismissSceneCandidate: NonNullable<MutationResolvers['dismissSceneCandidate']> = (_parent, { sceneId, performerId, permanent }, { recommendations }) =>
  recommendations.dismissSceneCandidate(sceneId, performerId, permanent);
