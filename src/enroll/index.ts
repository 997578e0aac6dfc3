export {
  createEnrollService,
  type EnrollService,
  type EnrollSummary,
  type EnrollProgress,
  type EnrollOptions,
  type EnrollPolicy,
  type SkippedPhoto,
} from './enroll-service.js';
export { readEnrollmentFolder, type PerformerFolder } from './read-folder.js';
export { enrollFromStash, type StashEnrollSummary, type StashEnrollOptions } from './enroll-from-stash.js';
export type { BodyRebuildSummary } from './rebuild-body-references.js';
export { createEnrollFolderJob, createEnrollFromStashJob, type EnrollFolderJobInput, type EnrollFromStashJobInput } from './enroll-jobs.js';
