import { fromTypeName } from '../../../recommendations/index.js';
import type { MutationResolvers } from './../../types.generated.js';

export const analyzeLibrary: NonNullable<MutationResolvers['analyzeLibrary']> = (_parent, { types }, { recommendations }) =>
  recommendations.analyzeLibrary(types?.map(fromTypeName));
