import type   { GalleryIdentificationResolvers } from './../types.generated.js';
    export const GalleryIdentification: GalleryIdentificationResolvers = {
    /* Implement GalleryIdentification resolver logic here */
  };