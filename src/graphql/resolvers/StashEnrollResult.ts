import type   { StashEnrollResultResolvers } from './../types.generated.js';
    export const StashEnrollResult: StashEnrollResultResolvers = {
    /* Implement StashEnrollResult resolver logic here */
  };