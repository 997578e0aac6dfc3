import { SenseError } from '../errors.js';
import type { Job, JobRunner, JobStatus } from '../jobs/index.js';
import type { UpstreamAnalysisInput } from '../recommendations/index.js';
import type { EnrollFolderJobInput, EnrollFromStashJobInput } from '../enroll/index.js';
import type { DownloadModelsJobInput } from '../models/index.js';
import type { ImportUpstreamJobInput } from '../upstream/index.js';
import { summarise, toTagBackJobInput, type TagBackItem, type TagBackJobInput, type TagBackSummary } from './batch.js';

/** The job kinds this sidecar runs, and each one's stored input. */
export interface JobKinds {
  tagBack: TagBackJobInput;
  upstreamPerformers: UpstreamAnalysisInput;
  downloadModels: DownloadModelsJobInput;
  enrollFolder: EnrollFolderJobInput;
  enrollFromStash: EnrollFromStashJobInput;
  importUpstream: ImportUpstreamJobInput;
}

export interface JobsService {
  list(filter: { status?: JobStatus | null; kind?: string | null; first?: number | null }): Job[];
  get(id: string): Job | undefined;
  startTagBack(raw: Parameters<typeof toTagBackJobInput>[0]): Job;
  /** Queues a job of another kind; an unfinished one of the same kind and input is returned instead of a second. */
  start<K extends Exclude<keyof JobKinds, 'tagBack'>>(kind: K, input: JobKinds[K]): Job;
  cancel(id: string): Job;
  subscribe(id: string): AsyncIterableIterator<Job>;
  /** A tag-back job's summary: final once it ended, built from its finished scenes while it runs. */
  tagBackSummary(job: Job): TagBackSummary | null;
}

export function createJobsService(runner: () => JobRunner<JobKinds>): JobsService {
  return {
    list: ({ status, kind, first }) => runner().jobs({ status: status ?? undefined, kind: kind ?? undefined, limit: first ?? 50 }),
    get: (id) => runner().job(id),
    startTagBack: (raw) => runner().enqueueJob('tagBack', toTagBackJobInput(raw)),
    start(kind, input) {
      const same = JSON.stringify(input);
      const unfinished = runner()
        .jobs({ kind, status: ['queued', 'running'] })
        .find((job) => JSON.stringify(job.input) === same);
      return unfinished ?? runner().enqueueJob(kind, input);
    },
    cancel(id) {
      const job = runner().cancelJob(id);
      if (!job) throw new SenseError('NOT_FOUND', `Job ${id} does not exist`);
      return job;
    },
    subscribe(id) {
      if (!runner().job(id)) throw new SenseError('NOT_FOUND', `Job ${id} does not exist`);
      return runner().subscribe(id);
    },
    tagBackSummary(job) {
      if (job.kind !== 'tagBack') return null;
      if (job.status === 'completed' && job.result) return job.result as TagBackSummary;
      const items = runner()
        .jobSteps(job.id)
        .filter((step) => step.status === 'done' && step.key.startsWith('plan:'))
        .map((step) => (step.result as { item: TagBackItem }).item);
      return summarise(items, (job.input as TagBackJobInput).dryRun);
    },
  };
}
