import type   { ImageIdentificationResolvers } from './../types.generated.js';
    export const ImageIdentification: ImageIdentificationResolvers = {
    /* Implement ImageIdentification resolver logic here */
  };