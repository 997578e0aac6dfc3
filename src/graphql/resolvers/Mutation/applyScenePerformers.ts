import type { MutationResolvers } from './../../types.generated.js';

export const applyScenePerformers: NonNullable<MutationResolvers['applyScenePerformers']> = (_parent, { sceneId, performerIds, options }, { tagBack }) =>
  tagBack.applyPerformers('scene', { targetId: sceneId, performerIds, dryRun: options?.dryRun ?? false, addSuggestedTag: options?.addSuggestedTag ?? false });
