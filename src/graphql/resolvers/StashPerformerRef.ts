import type   { StashPerformerRefResolvers } from './../types.generated.js';
    export const StashPerformerRef: StashPerformerRefResolvers = {
    /* Implement StashPerformerRef resolver logic here */
  };