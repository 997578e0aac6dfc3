import type { StashClient, StashRequestOptions } from './client.js';
import { FindTagsByNameDocument, TagCreateDocument } from './generated/graphql.js';
import type { StashTag } from './types.js';

/** The tag whose name or alias is `name` (ignoring case), or undefined. */
export async function findTagByName(stash: StashClient, name: string, options: StashRequestOptions = {}): Promise<StashTag | undefined> {
  const wanted = name.trim().toLowerCase();
  const { findTags } = await stash.request(FindTagsByNameDocument, { name: name.trim() }, options);
  const tags = findTags.tags.map((t) => ({ id: t.id, name: t.name, aliases: t.aliases }));
  return tags.find((t) => t.name.toLowerCase() === wanted) ?? tags.find((t) => t.aliases.some((a) => a.toLowerCase() === wanted));
}

/** The tag named `name`, created when Stash has none by that name or alias. */
export async function ensureTag(
  stash: StashClient,
  name: string,
  options: StashRequestOptions = {},
): Promise<{ tag: StashTag; created: boolean }> {
  const existing = await findTagByName(stash, name, options);
  if (existing) return { tag: existing, created: false };
  const { tagCreate } = await stash.request(TagCreateDocument, { input: { name: name.trim() } }, options);
  if (!tagCreate) throw new Error('Stash answered tagCreate with no tag');
  return { tag: { id: tagCreate.id, name: tagCreate.name, aliases: tagCreate.aliases }, created: true };
}
