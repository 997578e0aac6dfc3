import type { MutationResolvers } from './../../types.generated.js';

export const acceptRecommendation: NonNullable<MutationResolvers['acceptRecommendation']> = (_parent, { id, choice }, { recommendations }) =>
  recommendations.accept(id, choice);
