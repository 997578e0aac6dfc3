import type { RecommendationTargetResolvers } from './../types.generated.js';

// The recommendation service's objects carry these fields as the schema names them.
export const RecommendationTarget: RecommendationTargetResolvers = {};
