import { toStoredJobStatus } from '../Job.js';
import type { QueryResolvers } from './../../types.generated.js';

export const jobs: NonNullable<QueryResolvers['jobs']> = (_parent, { status, kind, first }, { jobs }) =>
  jobs.list({ status: status ? toStoredJobStatus(status) : null, kind, first });
