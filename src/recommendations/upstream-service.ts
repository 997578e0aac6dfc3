// What resolvers call for upstream performer changes: the stash-boxes and their watched fields, and the job.
import { SenseError } from '../errors.js';
import type { Job } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import type { StashBoxSnapshotStore } from '../state/index.js';
import { PERFORMER_FIELDS, safeEndpoint, sameEndpoint, type PerformerField, type StashBoxConnections } from '../stashbox/index.js';
import { watchedFieldsOf, type UpstreamAnalysisInput, type UpstreamAnalysisSummary } from './upstream-performers.js';

export interface StashBoxWithFields {
  endpoint: string;
  name: string;
  watchedFields: PerformerField[];
}

export interface UpstreamPerformersService {
  stashBoxes(signal?: AbortSignal): Promise<StashBoxWithFields[]>;
  /** Empty or null: back to the default (all fields). */
  setWatchedFields(endpoint: string, fields: readonly PerformerField[] | null): Promise<StashBoxWithFields>;
  /** Checks the endpoints exist, then queues the analysis job. */
  start(input: { endpoints?: readonly string[] | null; full?: boolean | null }): Promise<Job>;
  /** The summary of a finished upstreamPerformers job; null for other kinds and while it runs. */
  summary(job: Job): UpstreamAnalysisSummary | null;
}

export interface UpstreamPerformersServiceDeps {
  stashBoxes: StashBoxConnections;
  state: StashBoxSnapshotStore;
  /** Queues the job; throws when this process runs no jobs. */
  enqueue: (input: UpstreamAnalysisInput) => Job;
  logger: Logger;
}

export const UPSTREAM_JOB_KIND = 'upstreamPerformers';

export function createUpstreamPerformersService(deps: UpstreamPerformersServiceDeps): UpstreamPerformersService {
  const withFields = (box: { endpoint: string; name: string }): StashBoxWithFields => ({ ...box, watchedFields: watchedFieldsOf(deps.state, box.endpoint) });
  return {
    async stashBoxes(signal) {
      return (await deps.stashBoxes.list({ signal })).map(withFields);
    },
    async setWatchedFields(endpoint, fields) {
      const box = (await deps.stashBoxes.list()).find((b) => sameEndpoint(b.endpoint, endpoint));
      if (!box) throw new SenseError('NOT_FOUND', `Stash has no stash-box configured at ${safeEndpoint(endpoint)}`);
      const chosen = fields && fields.length > 0 ? PERFORMER_FIELDS.filter((field) => fields.includes(field)) : null;
      deps.state.setWatchedFields(box.endpoint, chosen);
      deps.logger.info('upstream watched fields set', { endpoint: safeEndpoint(box.endpoint), fields: chosen?.join(',') ?? 'all' });
      return withFields(box);
    },
    async start(input) {
      const configured = await deps.stashBoxes.list();
      if (configured.length === 0) throw new SenseError('BAD_INPUT', "Stash has no stash-box configured (Settings → Metadata Providers → Stash-box Endpoints); there is nothing to compare with");
      const endpoints = input.endpoints?.length
        ? input.endpoints.map((endpoint) => {
            const box = configured.find((b) => sameEndpoint(b.endpoint, endpoint));
            if (!box) throw new SenseError('NOT_FOUND', `Stash has no stash-box configured at ${safeEndpoint(endpoint)} (configured: ${configured.map((b) => b.endpoint).join(', ')})`);
            return box.endpoint;
          })
        : null;
      return deps.enqueue({ endpoints, full: input.full ?? false });
    },
    summary(job) {
      if (job.kind !== UPSTREAM_JOB_KIND || job.status !== 'completed' || !job.result) return null;
      return job.result as UpstreamAnalysisSummary;
    },
  };
}
