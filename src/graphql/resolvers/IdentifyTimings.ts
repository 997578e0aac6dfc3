import type   { IdentifyTimingsResolvers } from './../types.generated.js';
    export const IdentifyTimings: IdentifyTimingsResolvers = {
    /* Implement IdentifyTimings resolver logic here */
  };