import type   { StashStatusResolvers } from './../types.generated.js';
    export const StashStatus: StashStatusResolvers = {
    /* Implement StashStatus resolver logic here */
  };