export { DEFAULT_CONCURRENCY, startJobRunner } from './runner.js';
export type {
  AsyncStep,
  CheckOutcome,
  Job,
  JobContext,
  JobHandler,
  JobHandlers,
  JobPubSub,
  JobRun,
  JobRunner,
  JobRunnerOptions,
  ProgressUpdate,
} from './types.js';
export type { JobError, JobListFilter, JobProgress, JobStatus, StepRecord } from '../state/index.js';
