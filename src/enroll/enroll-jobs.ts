// Enrolment as jobs of the service: the CLI beside a running service (and the API) start them, and their
// progress is the job's. Enrolling the same photos again adds nothing, so a resumed job simply runs again.
import type { JobHandler } from '../jobs/index.js';
import type { EnrollService } from './enroll-service.js';

export interface EnrollFolderJobInput {
  dir: string;
}

export type EnrollFromStashJobInput = Record<string, never>;

export function createEnrollFolderJob(enroll: EnrollService): JobHandler<EnrollFolderJobInput> {
  return {
    resources: ['vision'],
    run: ({ input, signal, progress }) => enroll.enrollFolder(input.dir, { signal, onProgress: ({ done, total, current }) => progress({ done, total, current }) }),
  };
}

export function createEnrollFromStashJob(enroll: EnrollService): JobHandler<EnrollFromStashJobInput> {
  return {
    resources: ['vision', 'network'],
    run: ({ signal, progress }) => enroll.enrollFromStash({ signal, onProgress: ({ done, total, current }) => progress({ done, total, current }) }),
  };
}
