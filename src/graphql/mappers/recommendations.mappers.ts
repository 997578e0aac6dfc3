// What the recommendation resolvers receive: the service's objects, in snake-case types with Record counts;
// the type resolvers turn them into the schema's shapes (capital enums, count lists, union details).
import type { LibraryAnalysis, RecommendationType, RecommendationView, RecommendationViewPage } from '../../recommendations/index.js';

export type RecommendationMapper = RecommendationView;
export type RecommendationConnectionMapper = RecommendationViewPage;
export type RecommendationTypeCountMapper = { type: RecommendationType; count: number };
export type LibraryAnalysisMapper = LibraryAnalysis;

// Upstream performer changes: snake-case fields and statuses; the resolvers spell them as the schema does.
import type {
  StashBoxWithFields,
  UpstreamAnalysisSummary,
  UpstreamEndpointSummary,
  UpstreamFieldChange,
  UpstreamPerformerDetails,
} from '../../recommendations/index.js';

export type UpstreamPerformerDetailsMapper = UpstreamPerformerDetails;
export type UpstreamFieldChangeMapper = UpstreamFieldChange;
export type StashBoxEndpointMapper = StashBoxWithFields;
export type UpstreamAnalysisSummaryMapper = UpstreamAnalysisSummary;
export type UpstreamEndpointSummaryMapper = UpstreamEndpointSummary;
