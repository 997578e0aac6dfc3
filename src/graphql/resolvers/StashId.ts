import type   { StashIdResolvers } from './../types.generated.js';
    export const StashId: StashIdResolvers = {
    /* Implement StashId resolver logic here */
  };