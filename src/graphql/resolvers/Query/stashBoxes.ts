import type { QueryResolvers } from './../../types.generated.js';

export const stashBoxes: NonNullable<QueryResolvers['stashBoxes']> = (_parent, _args, { upstreamPerformers }) => upstreamPerformers.stashBoxes();
