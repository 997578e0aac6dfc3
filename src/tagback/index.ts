export { planTagBack, planChangesNothing, type TagBackPlan } from './plan.js';
export { createTagBackService, type TagBackService, type TagBackResult, type TagBackTargetKind, type ApplyPerformersInput } from './tagback-service.js';
export { decideSceneTagBack, type TagBackThresholds, type SceneDecision, type SceneSuggestion, type SceneOutcome } from './decide.js';
export {
  createTagBackBatch,
  toTagBackJobInput,
  summarise,
  listScopeSceneIds,
  type TagBackJobInput,
  type TagBackItem,
  type TagBackSummary,
  type TagBackScope,
  type ScenePerformerRecorder,
} from './batch.js';
export { createJobsService, type JobsService, type JobKinds } from './tagback-jobs.js';
