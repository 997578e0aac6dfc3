import type   { StashImageFaceResolvers } from './../types.generated.js';
    export const StashImageFace: StashImageFaceResolvers = {
    /* Implement StashImageFace resolver logic here */
  };