import type   { GalleryImageErrorResolvers } from './../types.generated.js';
    export const GalleryImageError: GalleryImageErrorResolvers = {
    /* Implement GalleryImageError resolver logic here */
  };