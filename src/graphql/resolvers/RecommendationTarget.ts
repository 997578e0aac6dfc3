import type   { RecommendationTargetResolvers } from './../types.generated.js';
    export const RecommendationTarget: RecommendationTargetResolvers = {
    /* Implement RecommendationTarget resolver logic here */
  };