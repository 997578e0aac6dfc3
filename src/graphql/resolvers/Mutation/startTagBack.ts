import type { MutationResolvers } from './../../types.generated.js';

export const startTagBack: NonNullable<MutationResolvers['startTagBack']> = (_parent, { input }, { jobs }) => jobs.startTagBack(input);
