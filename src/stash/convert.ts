import type { StashClient } from './client.js';
import type { StashId, StashPerformerRef, StashTagRef } from './types.js';

/** Shared pieces of turning Stash's answers into the domain objects in types.ts. */

export function toStashIds(stashIds: readonly { endpoint: string; stash_id: string }[]): StashId[] {
  return stashIds.map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id }));
}

export function toPerformerRefs(
  performers: readonly { id: string; name: string; stash_ids: readonly { endpoint: string; stash_id: string }[] }[],
): StashPerformerRef[] {
  return performers.map((p) => ({ id: p.id, name: p.name, stashIds: toStashIds(p.stash_ids) }));
}

export function toTagRefs(tags: readonly { id: string; name: string }[]): StashTagRef[] {
  return tags.map((t) => ({ id: t.id, name: t.name }));
}

/** A URL Stash reported, made safe to keep: absolute, on the configured origin, without `apikey`. */
export function safeUrl(stash: StashClient, url: string | null | undefined): string | null {
  return url ? stash.mediaUrl(url) : null;
}
