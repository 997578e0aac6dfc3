import type   { LinkedCandidateResolvers } from './../types.generated.js';
    export const LinkedCandidate: LinkedCandidateResolvers = {
    /* Implement LinkedCandidate resolver logic here */
  };