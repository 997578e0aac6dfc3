import type   { CandidateResolvers } from './../types.generated.js';
    export const Candidate: CandidateResolvers = {
    /* Implement Candidate resolver logic here */
  };