// Deciding which fields of a linked performer differ from its stash-box, three ways: the user's Stash value, the
// stash-box's value now, and the stash-box value the user last settled with (the baseline).
import { sameValue, type FieldValues, type PerformerField } from '../stashbox/index.js';
import type { UpstreamFieldChange } from './types.js';

/**
 * A watched field is flagged when Stash's value differs from the stash-box's, unless the stash-box still holds
 * the value the user settled with: then the difference is the user's own choice, kept until upstream changes.
 * Without a baseline (never settled) every difference is flagged.
 */
export function diffPerformerFields(
  local: FieldValues,
  upstream: FieldValues,
  baseline: Partial<Record<PerformerField, string[]>> | null,
  watched: readonly PerformerField[],
): UpstreamFieldChange[] {
  const changes: UpstreamFieldChange[] = [];
  for (const field of watched) {
    if (sameValue(field, local[field], upstream[field])) continue;
    const previous = baseline?.[field];
    if (previous !== undefined && sameValue(field, upstream[field], previous)) continue;
    changes.push({ field, local: [...local[field]], upstream: [...upstream[field]], previousUpstream: previous ? [...previous] : null });
  }
  return changes;
}

export type FieldChoice = { field: PerformerField; use: 'local' } | { field: PerformerField; use: 'upstream' } | { field: PerformerField; use: 'value'; value: string[] };

/**
 * The values to write for the user's choices: upstream or a given value; local fields are left out. A field
 * not among the changes is refused, and without choices every change takes the upstream value.
 */
export function chooseFieldValues(changes: readonly UpstreamFieldChange[], choices: readonly FieldChoice[] | undefined): { values: Partial<FieldValues>; unknown: PerformerField[] } {
  const byField = new Map(changes.map((change) => [change.field, change]));
  const values: Partial<FieldValues> = {};
  const unknown: PerformerField[] = [];
  const effective: readonly FieldChoice[] = choices ?? changes.map((change) => ({ field: change.field, use: 'upstream' as const }));
  for (const choice of effective) {
    const change = byField.get(choice.field);
    if (!change) {
      unknown.push(choice.field);
      continue;
    }
    if (choice.use === 'upstream') values[choice.field] = [...change.upstream];
    else if (choice.use === 'value') values[choice.field] = [...choice.value];
  }
  return { values, unknown };
}
