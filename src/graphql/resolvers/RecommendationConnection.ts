import type   { RecommendationConnectionResolvers } from './../types.generated.js';
    export const RecommendationConnection: RecommendationConnectionResolvers = {
    /* Implement RecommendationConnection resolver logic here */
  };