export { createRecommendationService, type RecommendationService, type RecommendationServiceDeps } from './service.js';
export { fromStatusName, fromTypeName, toStatusName, toTypeName, type RecommendationStatusName, type RecommendationTypeName } from './names.js';
export { MATERIAL_CONFIDENCE_CHANGE, type ScenePerformerInput } from './scene-performer.js';
export { DEFAULT_MIN_CONFIDENCE, MAX_CONFIDENCE_WITHOUT_STASH_ID, type DuplicateSceneOptions } from './duplicate-scenes.js';
export { createUpstreamPerformerAnalysis, type UpstreamAnalysisInput, type UpstreamAnalysisSummary, type UpstreamEndpointSummary } from './upstream-performers.js';
export { createUpstreamPerformersService, UPSTREAM_JOB_KIND, type StashBoxWithFields, type UpstreamPerformersService } from './upstream-service.js';
export type { FieldChoice } from './upstream-diff.js';
export {
  ANALYSED_TYPES,
  type AnalysedType,
  type DuplicatePerformer,
  type DuplicatePerformerDetails,
  type DuplicateSceneDetails,
  type LibraryAnalysis,
  type RecommendationDetailsByType,
  type RecommendationListFilter,
  type RecommendationStatus,
  type RecommendationTarget,
  type RecommendationType,
  type RecommendationView,
  type RecommendationViewPage,
  type SceneFileInfo,
  type SceneFilesDetails,
  type ScenePerformerDetails,
  type UpstreamFieldChange,
  type UpstreamPerformerDetails,
} from './types.js';
