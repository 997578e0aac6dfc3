import type { MutationResolvers } from './../../types.generated.js';

export const identifyStashImage: NonNullable<MutationResolvers['identifyStashImage']> = (_parent, { imageId, options }, { stashMedia, signal }) =>
  stashMedia.identifyStashImage(imageId, options ?? {}, signal);
