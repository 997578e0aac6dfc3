import type { MutationResolvers } from './../../types.generated.js';

export const applyGalleryPerformers: NonNullable<MutationResolvers['applyGalleryPerformers']> = (_parent, { galleryId, performerIds, options }, { tagBack }) =>
  tagBack.applyPerformers('gallery', { targetId: galleryId, performerIds, dryRun: options?.dryRun ?? false, addSuggestedTag: options?.addSuggestedTag ?? false });
