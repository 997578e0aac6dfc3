// The upstream performer changes analysis, run as a job: per stash-box, each linked Stash performer is compared
// with the stash-box's current data, and differences become one recommendation per performer. Each performer is
// one step, so a cancelled or interrupted job resumes where it stopped.
import { SenseError, isSenseError, type ErrorCode } from '../errors.js';
import type { JobContext } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import type { StashBoxSnapshotStore, StateTransaction, UpsertOutcome } from '../state/index.js';
import { FindPerformersForSyncDocument, type StashClient, type StashPerformerSyncFieldsFragment } from '../stash/index.js';
import {
  FIELD_LABELS,
  PERFORMER_FIELDS,
  getStashBoxPerformer,
  localFieldValues,
  safeEndpoint,
  sameEndpoint,
  type FieldValues,
  type PerformerField,
  type StashBoxClient,
  type StashBoxConnections,
  type StashBoxEndpoint,
  type StashBoxPerformer,
} from '../stashbox/index.js';
import { diffPerformerFields } from './upstream-diff.js';
import type { UpstreamPerformerDetails } from './types.js';

export interface UpstreamAnalysisInput {
  /** Stash-box GraphQL URLs; null: every configured one. */
  endpoints: string[] | null;
  full: boolean;
}

export interface UpstreamEndpointSummary {
  endpoint: string;
  name: string;
  performers: number;
  examined: number;
  skipped: number;
  created: number;
  updated: number;
  reopened: number;
  suppressed: number;
  resolved: number;
  gone: number;
  error: { code: ErrorCode; message: string } | null;
}

export interface UpstreamAnalysisSummary {
  full: boolean;
  endpoints: UpstreamEndpointSummary[];
}

export interface UpstreamAnalysisDeps {
  stash: () => StashClient;
  stashBoxes: StashBoxConnections;
  state: StashBoxSnapshotStore;
  logger: Logger;
}

/** What one performer's step decided; `outcome` is filled in when it is committed. */
type PerformerStepResult =
  | { kind: 'skipped' }
  | { kind: 'settled'; key: string; baseline: Partial<FieldValues>; examined: string; outcome?: 'resolved' | 'unchanged' }
  | { kind: 'recommend'; key: string; details: UpstreamPerformerDetails; evidence: unknown; examined: string; outcome?: UpsertOutcome };

const RECOMMENDATION_TYPE = 'upstream_performer_changes';

export function upstreamRecommendationKey(endpoint: string, stashId: string, performerId: string): string {
  return `${endpoint}|${stashId}|${performerId}`;
}

/** The fields watched on an endpoint: the stored choice, or all. */
export function watchedFieldsOf(state: StashBoxSnapshotStore, endpoint: string): PerformerField[] {
  const stored = state.watchedFields(endpoint);
  const known = new Set<string>(PERFORMER_FIELDS);
  return stored && stored.length > 0 ? PERFORMER_FIELDS.filter((field) => stored.includes(field) && known.has(field)) : [...PERFORMER_FIELDS];
}

export function createUpstreamPerformerAnalysis(deps: UpstreamAnalysisDeps) {
  return async function runUpstreamAnalysis(ctx: JobContext<UpstreamAnalysisInput>): Promise<UpstreamAnalysisSummary> {
    const { input, signal } = ctx;
    const boxes = selectEndpoints(await deps.stashBoxes.list({ signal }), input.endpoints);
    if (input.full) ctx.step('full', (tx) => boxes.forEach((box) => tx.clearExamined(box.endpoint)));
    // Listed afresh on every run (cheap, local); the steps below are keyed by performer, so a resumed job skips the finished ones.
    const linked = new Map<string, StashPerformerSyncFieldsFragment[]>();
    for (const box of boxes) linked.set(box.endpoint, await listLinkedPerformers(deps.stash(), box.endpoint, signal));
    const total = [...linked.values()].reduce((sum, list) => sum + list.length, 0);
    let done = 0;
    ctx.progress({ done, total, current: null });
    const summaries: UpstreamEndpointSummary[] = [];
    for (const box of boxes) {
      const performers = linked.get(box.endpoint) ?? [];
      const summary = emptySummary(box, performers.length);
      summaries.push(summary);
      let finished = 0;
      try {
        const client = await deps.stashBoxes.client(box.endpoint, { signal });
        const watched = watchedFieldsOf(deps.state, box.endpoint);
        for (const performer of performers) {
          for (const stashId of performer.stash_ids.filter((s) => sameEndpoint(s.endpoint, box.endpoint)).map((s) => s.stash_id)) {
            const result = await ctx.runStep(`performer:${box.endpoint}|${stashId}|${performer.id}`, {
              run: async (stepSignal) => decide(box, client, performer, stashId, watched, stepSignal),
              // The result object committed here is the one recorded as the step's result, so the outcome set on it is kept.
              commit: (tx, decided) => commitDecision(tx, decided),
            });
            count(summary, result);
          }
          done += 1;
          finished += 1;
          ctx.progress({ done, total, current: performer.name });
        }
      } catch (error: unknown) {
        if (!isSenseError(error) || error.code === 'CANCELLED' || error.code === 'STASH_UNAVAILABLE' || error.code === 'STASH_AUTH' || signal.aborted) throw error;
        // This stash-box's part stops; the others carry on. Its finished performers keep their results.
        summary.error = { code: error.code, message: error.message };
        deps.logger.warn('upstream check failed for a stash-box', { endpoint: safeEndpoint(box.endpoint), code: error.code, error: error.message });
        done += performers.length - finished;
        ctx.progress({ done, total, current: null });
      }
    }
    for (const summary of summaries) {
      const { endpoint, error, ...counts } = summary;
      deps.logger.info('upstream performers checked', { endpoint: safeEndpoint(endpoint), ...counts, error: error?.code ?? null });
    }
    return { full: input.full, endpoints: summaries };
  };

  async function decide(box: StashBoxEndpoint, client: StashBoxClient, performer: StashPerformerSyncFieldsFragment, stashId: string, watched: readonly PerformerField[], signal: AbortSignal): Promise<PerformerStepResult> {
    const upstream = await getStashBoxPerformer(client, stashId, { signal });
    const key = upstreamRecommendationKey(box.endpoint, stashId, performer.id);
    const snapshotKey = { endpoint: box.endpoint, stashId, performerId: performer.id };
    const snapshot = deps.state.getPerformerSnapshot(snapshotKey);
    const examined = `${upstream?.updated ?? 'missing'}|${performer.updated_at}`;
    if (snapshot?.examined === examined) return { kind: 'skipped' };
    const local = localFieldValues(performer);
    const base = {
      endpoint: box.endpoint,
      endpointName: box.name,
      stashId,
      performerId: performer.id,
      performerName: performer.name,
      upstreamUpdated: upstream?.updated ?? '',
      mergedIntoId: upstream?.mergedIntoId ?? null,
    };
    if (!upstream || upstream.deleted || upstream.mergedIntoId) {
      const status = upstream?.mergedIntoId ? 'merged' : 'deleted';
      return { kind: 'recommend', key, examined, evidence: { status, mergedIntoId: base.mergedIntoId }, details: { ...base, status, changes: [], upstream: {} } };
    }
    const upstreamValues = pick(upstream, watched);
    const changes = diffPerformerFields(local, upstream.values, snapshot?.baseline ?? null, watched);
    if (changes.length === 0) return { kind: 'settled', key, examined, baseline: upstreamValues };
    return {
      kind: 'recommend',
      key,
      examined,
      // A dismissed recommendation returns only when the stash-box's values for the differing fields change.
      evidence: { status: 'changed', changes: changes.map((change) => ({ field: change.field, upstream: change.upstream })) },
      details: { ...base, status: 'changed', changes, upstream: upstreamValues },
    };
  }
}

function commitDecision(tx: StateTransaction, decided: PerformerStepResult): void {
  if (decided.kind === 'skipped') return;
  const [endpoint = '', stashId = '', performerId = ''] = decided.key.split('|');
  const snapshotKey = { endpoint, stashId, performerId };
  if (decided.kind === 'settled') {
    decided.outcome = tx.removePendingRecommendation(RECOMMENDATION_TYPE, decided.key) ? 'resolved' : 'unchanged';
    tx.recordPerformerSnapshot(snapshotKey, { examined: decided.examined, baseline: decided.baseline });
    return;
  }
  const { details } = decided;
  const summary =
    details.status === 'changed'
      ? `${details.performerName}: ${details.changes.map((c) => FIELD_LABELS[c.field]).join(', ')} differ${details.changes.length === 1 ? 's' : ''} from ${details.endpointName}`
      : `${details.performerName}: ${details.status === 'merged' ? `merged into another performer (${details.mergedIntoId})` : 'deleted'} on ${details.endpointName}`;
  const { outcome } = tx.upsertRecommendation({
    type: RECOMMENDATION_TYPE,
    key: decided.key,
    targets: [{ type: 'performer', id: details.performerId }],
    confidence: 1,
    evidence: decided.evidence,
    payload: { summary, details, evidence: decided.evidence },
  });
  decided.outcome = outcome;
  tx.recordPerformerSnapshot(snapshotKey, { examined: decided.examined });
}

function count(summary: UpstreamEndpointSummary, result: PerformerStepResult): void {
  if (result.kind === 'skipped') {
    summary.skipped += 1;
    return;
  }
  summary.examined += 1;
  if (result.kind === 'settled') {
    if (result.outcome === 'resolved') summary.resolved += 1;
    return;
  }
  if (result.details.status !== 'changed') summary.gone += 1;
  switch (result.outcome) {
    case 'created':
      summary.created += 1;
      break;
    case 'updated':
      summary.updated += 1;
      break;
    case 'reopened':
      summary.reopened += 1;
      break;
    case 'suppressed':
      summary.suppressed += 1;
      break;
    default:
      break;
  }
}

function selectEndpoints(configured: StashBoxEndpoint[], wanted: string[] | null): StashBoxEndpoint[] {
  if (!wanted) return configured;
  return wanted.map((endpoint) => {
    const box = configured.find((b) => sameEndpoint(b.endpoint, endpoint));
    if (!box) throw new SenseError('NOT_FOUND', `Stash has no stash-box configured at ${safeEndpoint(endpoint)}`);
    return box;
  });
}

const PERFORMERS_PER_PAGE = 200;

async function listLinkedPerformers(stash: StashClient, endpoint: string, signal: AbortSignal): Promise<StashPerformerSyncFieldsFragment[]> {
  const all: StashPerformerSyncFieldsFragment[] = [];
  for (let page = 1; ; page += 1) {
    const { findPerformers } = await stash.request(
      FindPerformersForSyncDocument,
      { filter: { page, per_page: PERFORMERS_PER_PAGE, sort: 'id', direction: 'ASC' }, performerFilter: { stash_id_endpoint: { endpoint, modifier: 'NOT_NULL' } } },
      { signal },
    );
    all.push(...findPerformers.performers.filter((p) => p.stash_ids.some((s) => sameEndpoint(s.endpoint, endpoint))));
    if (findPerformers.performers.length < PERFORMERS_PER_PAGE || page * PERFORMERS_PER_PAGE >= findPerformers.count) return all;
  }
}

function pick(performer: StashBoxPerformer, fields: readonly PerformerField[]): Partial<FieldValues> {
  return Object.fromEntries(fields.map((field) => [field, performer.values[field]]));
}

function emptySummary(box: StashBoxEndpoint, performers: number): UpstreamEndpointSummary {
  return { endpoint: box.endpoint, name: box.name, performers, examined: 0, skipped: 0, created: 0, updated: 0, reopened: 0, suppressed: 0, resolved: 0, gone: 0, error: null };
}
