import type { MutationResolvers } from './../../types.generated.js';

export const analyzeUpstreamPerformers: NonNullable<MutationResolvers['analyzeUpstreamPerformers']> = (_parent, { input }, { upstreamPerformers }) =>
  upstreamPerformers.start({ endpoints: input?.endpoints, full: input?.full });
