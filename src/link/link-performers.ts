import { findPerformersByName, findPerformersByStashId, type StashClient, type StashPerformer } from '../stash/index.js';

export type LinkRule = 'STASH_ID' | 'NAME' | 'ALIAS' | 'NOT_IN_LIBRARY';

/** How a face-database performer maps onto the user's own Stash performer. */
export interface PerformerLink {
  rule: LinkRule;
  stashPerformerId: string | null;
  stashPerformerName: string | null;
}

export interface LinkablePerformer {
  id: string;
  name: string;
  aliases: readonly string[];
  stashIds: readonly { endpoint: string; stashId: string }[];
}

export const notInLibrary: PerformerLink = { rule: 'NOT_IN_LIBRARY', stashPerformerId: null, stashPerformerName: null };

/**
 * Decides the link from what Stash returned: a shared stash-box ID wins; otherwise an exact, case-insensitive
 * name match, then an alias match. Ties go to the lowest Stash id, so the answer is stable.
 */
export function chooseLink(performer: LinkablePerformer, byStashId: readonly StashPerformer[], byName: readonly StashPerformer[]): PerformerLink {
  const pick = (list: readonly StashPerformer[]) => [...list].sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id))[0];
  const viaStashId = pick(byStashId);
  if (viaStashId) return { rule: 'STASH_ID', stashPerformerId: viaStashId.id, stashPerformerName: viaStashId.name };
  const names = [performer.name, ...performer.aliases].map(normalise).filter(Boolean);
  const viaName = pick(byName.filter((candidate) => names.includes(normalise(candidate.name))));
  if (viaName) return { rule: 'NAME', stashPerformerId: viaName.id, stashPerformerName: viaName.name };
  const viaAlias = pick(byName.filter((candidate) => candidate.aliases.some((alias) => names.includes(normalise(alias)))));
  if (viaAlias) return { rule: 'ALIAS', stashPerformerId: viaAlias.id, stashPerformerName: viaAlias.name };
  return notInLibrary;
}

export interface PerformerLinker {
  link(performers: readonly LinkablePerformer[], signal?: AbortSignal): Promise<Map<string, PerformerLink>>;
}

/** Looks each performer up in Stash (stash-box IDs first, then names) and links it; remembers answers per linker. */
export function createPerformerLinker(stash: StashClient): PerformerLinker {
  const cache = new Map<string, Promise<PerformerLink>>();
  const linkOne = async (performer: LinkablePerformer, signal?: AbortSignal): Promise<PerformerLink> => {
    const byStashId: StashPerformer[] = [];
    for (const stashId of performer.stashIds) {
      byStashId.push(...(await findPerformersByStashId(stash, stashId, { signal })));
      if (byStashId.length > 0) break;
    }
    if (byStashId.length > 0) return chooseLink(performer, byStashId, []);
    const byName: StashPerformer[] = [];
    for (const name of new Set([performer.name, ...performer.aliases])) byName.push(...(await findPerformersByName(stash, name, { signal })));
    return chooseLink(performer, [], byName);
  };
  return {
    async link(performers, signal) {
      const links = new Map<string, PerformerLink>();
      for (const performer of performers) {
        let pending = cache.get(performer.id);
        if (!pending) {
          pending = linkOne(performer, signal);
          cache.set(performer.id, pending);
          pending.catch(() => cache.delete(performer.id));
        }
        links.set(performer.id, await pending);
      }
      return links;
    },
  };
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}
