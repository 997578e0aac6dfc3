// Accepting upstream performer changes: the chosen fields are written with one performerUpdate, after checking
// that the Stash performer is still as the recommendation saw it; the stash-box values become the new baseline.
import { SenseError } from '../errors.js';
import type { StateTransaction } from '../state/index.js';
import { FindPerformerForSyncDocument, PerformerUpdateDocument, type StashClient } from '../stash/index.js';
import { FIELD_LABELS, localFieldValues, sameEndpoint, sameValue, toStashPerformerInput } from '../stashbox/index.js';
import { chooseFieldValues, type FieldChoice } from './upstream-diff.js';
import type { RecommendationView } from './types.js';

type UpstreamView = Extract<RecommendationView, { type: 'upstream_performer_changes' }>;

export interface UpstreamAcceptOutcome {
  resolution: Record<string, unknown>;
  /** Written in the same transaction as the acceptance. */
  commit: (tx: StateTransaction) => void;
}

export async function acceptUpstreamChanges(recommendation: UpstreamView, choices: readonly FieldChoice[] | undefined, stash: StashClient, signal?: AbortSignal): Promise<UpstreamAcceptOutcome> {
  const { details } = recommendation;
  if (details.status !== 'changed') {
    throw new SenseError(
      'BAD_INPUT',
      `Recommendation ${recommendation.id} only reports that ${details.performerName}'s stash-box entry was ${details.status === 'merged' ? `merged into ${details.mergedIntoId}` : 'deleted'}; ` +
        'there is nothing to apply. Relink the performer in Stash, then dismiss it',
    );
  }
  const { values, unknown } = chooseFieldValues(details.changes, choices);
  if (unknown.length > 0) {
    throw new SenseError('BAD_INPUT', `Recommendation ${recommendation.id} has no change for ${unknown.map((f) => FIELD_LABELS[f]).join(', ')}; its changes are ${details.changes.map((c) => FIELD_LABELS[c.field]).join(', ')}`);
  }
  const input = toStashPerformerInput(values);
  const { findPerformer } = await stash.request(FindPerformerForSyncDocument, { id: details.performerId }, { signal });
  if (!findPerformer) throw stale(recommendation, `performer ${details.performerId} no longer exists in Stash`);
  if (!findPerformer.stash_ids.some((s) => sameEndpoint(s.endpoint, details.endpoint) && s.stash_id === details.stashId)) {
    throw stale(recommendation, `performer ${details.performerId} is no longer linked to ${details.endpointName} ${details.stashId}`);
  }
  const local = localFieldValues(findPerformer);
  const movedOn = Object.keys(values)
    .map((field) => details.changes.find((c) => c.field === field)!)
    .filter((change) => !sameValue(change.field, local[change.field], change.local));
  if (movedOn.length > 0) throw stale(recommendation, `${movedOn.map((c) => FIELD_LABELS[c.field]).join(', ')} changed in Stash since the analysis`);
  // Stash keeps a name out of its own alias list; a name taken from upstream may sit among the aliases.
  if (input.alias_list || input.name) {
    const name = (input.name ?? findPerformer.name).trim().toLowerCase();
    const aliases = input.alias_list ?? findPerformer.alias_list;
    if (aliases.some((alias) => alias.trim().toLowerCase() === name)) input.alias_list = aliases.filter((alias) => alias.trim().toLowerCase() !== name);
  }
  const fields = Object.keys(values);
  if (Object.keys(input).length > 0) await stash.request(PerformerUpdateDocument, { input: { id: details.performerId, ...input } }, { signal });
  return {
    resolution: { action: 'updated_performer', performerId: details.performerId, fields, keptLocal: details.changes.map((c) => c.field).filter((f) => !fields.includes(f)) },
    // Every difference is now settled (taken, or kept local on purpose): the stash-box's values are the baseline,
    // so a kept-local field comes back only when the stash-box changes it.
    commit: (tx) => {
      const key = { endpoint: details.endpoint, stashId: details.stashId, performerId: details.performerId };
      const previous = tx.getPerformerSnapshot(key)?.baseline ?? {};
      tx.recordPerformerSnapshot(key, { baseline: { ...previous, ...details.upstream } });
    },
  };
}

function stale(recommendation: RecommendationView, why: string): SenseError {
  return new SenseError('CONFLICT', `Recommendation ${recommendation.id} is out of date (${why}); nothing was changed. Run analyzeUpstreamPerformers again to refresh it`);
}
