import type   { SkippedPerformerResolvers } from './../types.generated.js';
    export const SkippedPerformer: SkippedPerformerResolvers = {
    /* Implement SkippedPerformer resolver logic here */
  };