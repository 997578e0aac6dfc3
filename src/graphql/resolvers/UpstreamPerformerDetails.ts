import type { UpstreamPerformerDetailsResolvers, UpstreamStatus } from './../types.generated.js';

export const UpstreamPerformerDetails: UpstreamPerformerDetailsResolvers = {
  status: ({ status }) => status.toUpperCase() as UpstreamStatus,
  // stash-box serves its pages beside its GraphQL endpoint: https://stashdb.org/performers/<id>.
  upstreamUrl: ({ endpoint, stashId }) => new URL(`/performers/${encodeURIComponent(stashId)}`, endpoint.replace(/\/graphql\/?$/, '/')).toString(),
};
