import type { UpstreamEndpointSummaryResolvers } from './../types.generated.js';

export const UpstreamEndpointSummary: UpstreamEndpointSummaryResolvers = {
  error: ({ error }) => error,
};
