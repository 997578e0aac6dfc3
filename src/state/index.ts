export { openStateDatabase, type OpenStateDatabaseOptions, type StateDatabase, type StateTransaction } from './database.js';
export type { Identification, IdentificationInput, IdentificationKind, IdentificationStore } from './identifications.js';
export {
  TERMINAL_JOB_STATUSES,
  type JobError,
  type JobFinish,
  type JobListFilter,
  type JobProgress,
  type JobRecord,
  type JobStatus,
  type JobStore,
  type StepRecord,
} from './jobs.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type RecommendationFilter, type RecommendationPage } from './recommendation-list.js';
export {
  RECOMMENDATION_TYPES,
  type Recommendation,
  type RecommendationStatus,
  type RecommendationTarget,
  type RecommendationTargetType,
  type RecommendationType,
} from './recommendation-types.js';
export type { RecommendationInput, RecommendationStore, UpsertOutcome } from './recommendations.js';
export type { PerformerSnapshot, PerformerSnapshotKey, StashBoxSnapshotStore } from './stashbox-snapshots.js';
export { STATE_DATABASE_FILE, STATE_SCHEMA_VERSION } from './schema.js';
export { isJobRunnerActive } from './runner-probe.js';
