import type { MutationResolvers } from './../../types.generated.js';

export const identifyGallery: NonNullable<MutationResolvers['identifyGallery']> = (_parent, { galleryId, options }, { stashMedia, signal }) =>
  stashMedia.identifyGallery(galleryId, options ?? {}, signal);
