import type { MutationResolvers } from './../../types.generated.js';

export const dismissRecommendation: NonNullable<MutationResolvers['dismissRecommendation']> = (_parent, { id, permanent }, { recommendations }) =>
  recommendations.dismiss(id, permanent);
