import type { MutationResolvers } from './../../types.generated.js';

export const applyImagePerformers: NonNullable<MutationResolvers['applyImagePerformers']> = (_parent, { imageId, performerIds, options }, { tagBack }) =>
  tagBack.applyPerformers('image', { targetId: imageId, performerIds, dryRun: options?.dryRun ?? false, addSuggestedTag: options?.addSuggestedTag ?? false });
