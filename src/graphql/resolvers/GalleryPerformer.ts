import type   { GalleryPerformerResolvers } from './../types.generated.js';
    export const GalleryPerformer: GalleryPerformerResolvers = {
    /* Implement GalleryPerformer resolver logic here */
  };