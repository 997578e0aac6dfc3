import { fromTypeName } from '../../../recommendations/index.js';
import type { MutationResolvers } from './../../types.generated.js';

export const analyzeLibrary: NonNullable<MutationResolvers['analyzeLibrary']> = (_parent, { types }, { recommendations, signal }) =>
  recommendations.analyzeLibrary(types?.map(fromTypeName), signal);
