import type   { StashImageIdentificationResolvers } from './../types.generated.js';
    export const StashImageIdentification: StashImageIdentificationResolvers = {
    /* Implement StashImageIdentification resolver logic here */
  };