import type   { RecommendationResolvers } from './../types.generated.js';
    export const Recommendation: RecommendationResolvers = {
    /* Implement Recommendation resolver logic here */
  };