// Local performers that share a stash-box performer are the same person entered twice. Pure.
import type { StashId, StashPerformer } from '../stash/index.js';
import type { DuplicatePerformer, Proposal } from './types.js';

/**
 * Groups performers connected through shared stash-box ids (A and B share X, B and C share Y: one group of three),
 * so each duplicate is one recommendation, keyed by the stash-box id most of the group shares — not by the keeper,
 * which let upstream drop a second group that happened to share it.
 */
export function proposeDuplicatePerformers(performers: readonly StashPerformer[]): Proposal<'duplicate_performer'>[] {
  const byStashId = new Map<string, StashPerformer[]>();
  for (const performer of performers) {
    for (const stashId of uniqueStashIds(performer.stashIds)) {
      const key = stashIdKey(stashId);
      const members = byStashId.get(key) ?? [];
      members.push(performer);
      byStashId.set(key, members);
    }
  }
  const groups = new UnionFind();
  const shared = [...byStashId.entries()].filter(([, members]) => members.length > 1);
  for (const [, members] of shared) for (const other of members.slice(1)) groups.union(members[0]!.id, other.id);

  const components = new Map<string, { performers: Map<string, StashPerformer>; stashIds: Map<string, number> }>();
  for (const [key, members] of shared) {
    const root = groups.find(members[0]!.id);
    const component = components.get(root) ?? { performers: new Map(), stashIds: new Map() };
    for (const member of members) component.performers.set(member.id, member);
    component.stashIds.set(key, members.length);
    components.set(root, component);
  }
  return [...components.values()].map(({ performers: members, stashIds }) => propose([...members.values()], stashIds));
}

function propose(members: StashPerformer[], stashIds: Map<string, number>): Proposal<'duplicate_performer'> {
  // The keeper has the most scenes (the least to move); on a tie the oldest (lowest id).
  const ordered = [...members].sort((a, b) => b.sceneCount - a.sceneCount || Number(a.id) - Number(b.id));
  const keep = ordered[0]!;
  const rest = ordered.slice(1).sort((a, b) => Number(a.id) - Number(b.id));
  const sharedKeys = [...stashIds.entries()].sort(([a, n], [b, m]) => m - n || a.localeCompare(b)).map(([key]) => key);
  const sharedStashIds = sharedKeys.map(parseStashIdKey);
  const primary = sharedStashIds[0]!;
  const performers: DuplicatePerformer[] = [keep, ...rest].map((p) => ({ id: p.id, name: p.name, sceneCount: p.sceneCount, stashIds: p.stashIds }));
  const list = performers.map((p) => `"${p.name}" #${p.id} (${p.sceneCount} scene${p.sceneCount === 1 ? '' : 's'})`).join(', ');
  return {
    type: 'duplicate_performer',
    key: sharedKeys[0]!,
    targets: performers.map((p) => ({ type: 'performer', id: p.id })),
    confidence: 1,
    summary: `${performers.length} performers are the same stash-box performer (${endpointName(primary.endpoint)} ${primary.stashId}): ${list}; merge into #${keep.id}`,
    details: { stashId: primary, sharedStashIds, performers, keepPerformerId: keep.id },
    // Who is in the group and what links them; scene counts drift and are not evidence.
    evidence: { performerIds: members.map((p) => p.id).sort((a, b) => Number(a) - Number(b)), stashIds: [...sharedKeys].sort() },
  };
}

export function stashIdKey(stashId: StashId): string {
  return `${stashId.endpoint}|${stashId.stashId}`;
}

function parseStashIdKey(key: string): StashId {
  const cut = key.lastIndexOf('|');
  return { endpoint: key.slice(0, cut), stashId: key.slice(cut + 1) };
}

/** `https://stashdb.org/graphql` → `stashdb.org`. */
export function endpointName(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function uniqueStashIds(stashIds: readonly StashId[]): StashId[] {
  const seen = new Map(stashIds.map((s) => [stashIdKey(s), s]));
  return [...seen.values()];
}

class UnionFind {
  private readonly parent = new Map<string, string>();

  find(id: string): string {
    let root = id;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(id, root);
    return root;
  }

  union(a: string, b: string): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB) this.parent.set(rootB, rootA);
  }
}
