import type   { JobErrorResolvers } from './../types.generated.js';
    export const JobError: JobErrorResolvers = {
    /* Implement JobError resolver logic here */
  };