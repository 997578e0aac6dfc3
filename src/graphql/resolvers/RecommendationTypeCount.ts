import type   { RecommendationTypeCountResolvers } from './../types.generated.js';
    export const RecommendationTypeCount: RecommendationTypeCountResolvers = {
    /* Implement RecommendationTypeCount resolver logic here */
  };