// The plugin's operations for stash-box: creating or linking a not-in-library match, and reviewing upstream
// performer changes. Checked against the sidecar's schema by test/plugin/operations.test.ts like operations.ts.
import type { Operation } from './operations.js';

function operation<TData, TVariables = Record<string, never>>(document: string): Operation<TData, TVariables> {
  return { document };
}

export interface StashBoxPerformerResult {
  performer: { id: string; name: string };
  outcome: 'CREATED' | 'LINKED' | 'ALREADY_LINKED';
  addedToScene: boolean;
}

const resultFields = 'performer { id name } outcome addedToScene';

export const createPerformerFromStashBoxMutation = operation<{ createPerformerFromStashBox: StashBoxPerformerResult }, { endpoint: string; stashId: string; sceneId: string | null }>(
  `mutation StashSenseCreatePerformerFromStashBox($endpoint: String!, $stashId: String!, $sceneId: ID) {
  createPerformerFromStashBox(endpoint: $endpoint, stashId: $stashId, sceneId: $sceneId) { ${resultFields} }
}`,
);

export const linkPerformerToStashBoxMutation = operation<
  { linkPerformerToStashBox: StashBoxPerformerResult },
  { performerId: string; endpoint: string; stashId: string; sceneId: string | null }
>(
  `mutation StashSenseLinkPerformerToStashBox($performerId: ID!, $endpoint: String!, $stashId: String!, $sceneId: ID) {
  linkPerformerToStashBox(performerId: $performerId, endpoint: $endpoint, stashId: $stashId, sceneId: $sceneId) { ${resultFields} }
}`,
);

export const searchStashPerformersQuery = operation<{ searchStashPerformers: { id: string; name: string; sceneCount: number | null }[] }, { query: string; first: number }>(
  `query StashSenseSearchPerformers($query: String!, $first: Int) { searchStashPerformers(query: $query, first: $first) { id name sceneCount } }`,
);

export interface UpstreamFieldChange {
  field: string;
  label: string;
  list: boolean;
  local: string[];
  upstream: string[];
  previousUpstream: string[] | null;
}

export interface UpstreamRecommendation {
  id: string;
  summary: string;
  details: {
    __typename: 'UpstreamPerformerDetails';
    endpoint: string;
    endpointName: string;
    stashId: string;
    upstreamUrl: string;
    performerId: string;
    performerName: string;
    upstreamUpdated: string;
    status: 'CHANGED' | 'DELETED' | 'MERGED';
    mergedIntoId: string | null;
    changes: UpstreamFieldChange[];
  };
}

export const upstreamRecommendationsQuery = operation<
  { recommendations: { totalCount: number; edges: { node: UpstreamRecommendation }[] } },
  { first: number }
>(
  `query StashSenseUpstreamChanges($first: Int) {
  recommendations(filter: { type: UPSTREAM_PERFORMER_CHANGES, status: PENDING }, first: $first) {
    totalCount
    edges {
      node {
        id summary
        details {
          __typename
          ... on UpstreamPerformerDetails {
            endpoint endpointName stashId upstreamUrl performerId performerName upstreamUpdated status mergedIntoId
            changes { field label list local upstream previousUpstream }
          }
        }
      }
    }
  }
}`,
);

export type FieldChoiceUse = 'LOCAL' | 'UPSTREAM' | 'VALUE';

export interface FieldChoiceInput {
  field: string;
  use: FieldChoiceUse;
  value?: string[];
}

export const acceptUpstreamChangesMutation = operation<{ acceptRecommendation: { id: string; status: string } }, { id: string; fields: FieldChoiceInput[] }>(
  `mutation StashSenseAcceptUpstreamChanges($id: ID!, $fields: [UpstreamFieldChoiceInput!]) { acceptRecommendation(id: $id, fields: $fields) { id status } }`,
);

export interface UpstreamJob {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  progress: { done: number; total: number | null };
  error: { code: string; message: string } | null;
  upstreamPerformers: {
    endpoints: { endpoint: string; name: string; performers: number; examined: number; skipped: number; created: number; reopened: number; error: { code: string; message: string } | null }[];
  } | null;
}

const upstreamJobFields = `id status progress { done total } error { code message }
  upstreamPerformers { endpoints { endpoint name performers examined skipped created reopened error { code message } } }`;

export const analyzeUpstreamPerformersMutation = operation<{ analyzeUpstreamPerformers: UpstreamJob }, { full: boolean }>(
  `mutation StashSenseAnalyzeUpstreamPerformers($full: Boolean) { analyzeUpstreamPerformers(input: { full: $full }) { ${upstreamJobFields} } }`,
);

export const upstreamJobQuery = operation<{ job: UpstreamJob | null }, { id: string }>(`query StashSenseUpstreamJob($id: ID!) { job(id: $id) { ${upstreamJobFields} } }`);
