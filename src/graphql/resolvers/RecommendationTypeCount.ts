import { toTypeName } from '../../recommendations/index.js';
import type { RecommendationTypeCountResolvers } from './../types.generated.js';

export const RecommendationTypeCount: RecommendationTypeCountResolvers = {
  type: ({ type }) => toTypeName(type),
};
