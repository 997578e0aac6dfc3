import type   { JobProgressResolvers } from './../types.generated.js';
    export const JobProgress: JobProgressResolvers = {
    /* Implement JobProgress resolver logic here */
  };