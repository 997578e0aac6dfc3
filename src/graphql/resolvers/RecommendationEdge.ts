import type   { RecommendationEdgeResolvers } from './../types.generated.js';
    export const RecommendationEdge: RecommendationEdgeResolvers = {
    /* Implement RecommendationEdge resolver logic here */
  };