import type { JobStatus as StoredStatus } from '../../jobs/index.js';
import type { JobResolvers, JobStatus } from './../types.generated.js';

export const Job: JobResolvers = {
  status: ({ status }) => status.toUpperCase() as JobStatus,
  tagBack: (job, _args, { jobs }) => jobs.tagBackSummary(job),
  upstreamPerformers: (job, _args, { upstreamPerformers }) => upstreamPerformers.summary(job),
  result: ({ kind, status, result }) => (kind !== 'tagBack' && status === 'completed' && result !== null && result !== undefined ? JSON.stringify(result) : null),
};

export function toStoredJobStatus(status: JobStatus): StoredStatus {
  return status.toLowerCase() as StoredStatus;
}
