import type { RecommendationEdgeResolvers } from './../types.generated.js';

// The recommendation service's objects carry these fields as the schema names them.
export const RecommendationEdge: RecommendationEdgeResolvers = {};
