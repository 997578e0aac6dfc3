import type   { TagBackSummaryResolvers } from './../types.generated.js';
    export const TagBackSummary: TagBackSummaryResolvers = {
    /* Implement TagBackSummary resolver logic here */
  };