import type   { EmbeddingModelResolvers } from './../types.generated.js';
    export const EmbeddingModel: EmbeddingModelResolvers = {
    /* Implement EmbeddingModel resolver logic here */
  };