import { RECOMMENDATION_TYPES } from '../../state/index.js';
import type { RecommendationConnectionResolvers } from './../types.generated.js';

export const RecommendationConnection: RecommendationConnectionResolvers = {
  countsByType: ({ countsByType }) => RECOMMENDATION_TYPES.map((type) => ({ type, count: countsByType[type] })),
};
