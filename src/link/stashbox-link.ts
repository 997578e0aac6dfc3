// Creating a Stash performer from a stash-box match that is not in the user's library, or linking the match to
// a performer they already have; either way the performer can then be added to the scene (ADD only).
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  FindPerformersDocument,
  PerformerCreateFromStashBoxDocument,
  PerformerUpdateDocument,
  addPerformersToScenes,
  findPerformersByName,
  findPerformersByStashId,
  getPerformer,
  getScene,
  type StashClient,
  type StashPerformer,
} from '../stash/index.js';
import { getStashBoxPerformer, safeEndpoint, sameEndpoint, toStashPerformerInput, type StashBoxConnections } from '../stashbox/index.js';

export type StashBoxLinkOutcome = 'created' | 'linked' | 'already_linked';

export interface StashBoxLinkResult {
  performer: { id: string; name: string; sceneCount: number };
  outcome: StashBoxLinkOutcome;
  addedToScene: boolean;
}

export interface StashBoxLinkService {
  createFromStashBox(input: { endpoint: string; stashId: string; sceneId?: string | null }, signal?: AbortSignal): Promise<StashBoxLinkResult>;
  linkToStashBox(input: { performerId: string; endpoint: string; stashId: string; sceneId?: string | null }, signal?: AbortSignal): Promise<StashBoxLinkResult>;
  /** Stash performers whose name or alias contains the text, by name. */
  searchPerformers(query: string, first?: number | null, signal?: AbortSignal): Promise<{ id: string; name: string; sceneCount: number }[]>;
}

export interface StashBoxLinkDeps {
  stash: () => StashClient;
  stashBoxes: StashBoxConnections;
  logger: Logger;
}

export function createStashBoxLinkService(deps: StashBoxLinkDeps): StashBoxLinkService {
  // Two clicks on "Add to Stash" at once must still make one performer: calls for the same stash-box id queue here.
  const inFlight = new Map<string, Promise<unknown>>();
  const serialised = async <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const previous = inFlight.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    inFlight.set(key, next);
    try {
      return await next;
    } finally {
      if (inFlight.get(key) === next) inFlight.delete(key);
    }
  };

  async function configuredEndpoint(endpoint: string, signal?: AbortSignal): Promise<string> {
    const box = (await deps.stashBoxes.list({ signal })).find((b) => sameEndpoint(b.endpoint, endpoint));
    if (!box) throw new SenseError('NOT_FOUND', `Stash has no stash-box configured at ${safeEndpoint(endpoint)}; add it under Settings → Metadata Providers first`);
    return box.endpoint;
  }

  async function checkScene(sceneId: string | null | undefined, signal?: AbortSignal): Promise<Set<string> | undefined> {
    if (!sceneId) return undefined;
    const scene = await getScene(deps.stash(), sceneId, { signal });
    if (!scene) throw new SenseError('NOT_FOUND', `Scene ${sceneId} does not exist in Stash`);
    return new Set(scene.performers.map((p) => p.id));
  }

  async function addToScene(sceneId: string | null | undefined, onScene: Set<string> | undefined, performerId: string, signal?: AbortSignal): Promise<boolean> {
    if (!sceneId || !onScene) return false;
    if (onScene.has(performerId)) return false;
    await addPerformersToScenes(deps.stash(), [sceneId], [performerId], { signal });
    return true;
  }

  return {
    createFromStashBox(input, signal) {
      return serialised(`${input.endpoint}|${input.stashId}`, async () => {
        const stash = deps.stash();
        const onScene = await checkScene(input.sceneId, signal);
        const endpoint = await configuredEndpoint(input.endpoint, signal);
        const linked = await findPerformersByStashId(stash, { endpoint, stashId: input.stashId }, { signal });
        if (linked.length > 0) {
          const performer = lowestId(linked);
          const addedToScene = await addToScene(input.sceneId, onScene, performer.id, signal);
          return { performer: ref(performer), outcome: 'already_linked', addedToScene };
        }
        const client = await deps.stashBoxes.client(endpoint, { signal });
        const upstream = await getStashBoxPerformer(client, input.stashId, { signal });
        if (!upstream) throw new SenseError('NOT_FOUND', `${client.name} has no performer ${input.stashId}`);
        if (upstream.mergedIntoId) throw new SenseError('BAD_INPUT', `${client.name} merged performer ${input.stashId} into ${upstream.mergedIntoId}; use that id`);
        if (upstream.deleted) throw new SenseError('BAD_INPUT', `${client.name} deleted performer ${input.stashId}; there is nothing to create it from`);
        const sameName = (await findPerformersByName(stash, upstream.name, { signal })).filter((p) => p.name.trim().toLowerCase() === upstream.name.trim().toLowerCase());
        if (sameName.length > 0) {
          const other = lowestId(sameName);
          throw new SenseError(
            'CONFLICT',
            `Stash already has a performer named ${other.name} (id ${other.id}) that is not linked to ${client.name} ${input.stashId}; link that one instead (linkPerformerToStashBox)`,
          );
        }
        const fields = Object.fromEntries(Object.entries(upstream.values).filter(([, value]) => value.length > 0));
        const create = (image: string | undefined) =>
          stash.request(
            PerformerCreateFromStashBoxDocument,
            { input: { ...toStashPerformerInput(fields), name: upstream.name, stash_ids: [{ endpoint, stash_id: upstream.id }], image } },
            { signal },
          );
        let created;
        try {
          created = (await create(upstream.imageUrl ?? undefined)).performerCreate;
        } catch (error: unknown) {
          // Stash downloads the image itself and refuses the whole create when it cannot; the performer matters more.
          if (!upstream.imageUrl || !isSenseError(error) || error.code !== 'BAD_INPUT' || !/image/i.test(error.message)) throw error;
          deps.logger.warn('stash could not download the stash-box image; creating the performer without it', { endpoint: safeEndpoint(endpoint), stashId: upstream.id });
          created = (await create(undefined)).performerCreate;
        }
        if (!created) throw new SenseError('INTERNAL', 'Stash answered performerCreate with no performer');
        deps.logger.info('performer created from stash-box', { performerId: created.id, endpoint: safeEndpoint(endpoint), stashId: upstream.id });
        const addedToScene = await addToScene(input.sceneId, onScene, created.id, signal);
        return { performer: { id: created.id, name: created.name, sceneCount: 0 }, outcome: 'created', addedToScene: addedToScene };
      });
    },

    linkToStashBox(input, signal) {
      return serialised(`${input.endpoint}|${input.stashId}`, async () => {
        const stash = deps.stash();
        const onScene = await checkScene(input.sceneId, signal);
        const performer = await getPerformer(stash, input.performerId, { signal });
        if (!performer) throw new SenseError('NOT_FOUND', `Performer ${input.performerId} does not exist in Stash`);
        const endpoint = await configuredEndpoint(input.endpoint, signal);
        const others = (await findPerformersByStashId(stash, { endpoint, stashId: input.stashId }, { signal })).filter((p) => p.id !== performer.id);
        if (others.length > 0) {
          const other = lowestId(others);
          throw new SenseError('CONFLICT', `${other.name} (id ${other.id}) is already linked to that stash-box performer; add ${other.name} instead, or merge the two in Stash`);
        }
        const has = performer.stashIds.some((s) => sameEndpoint(s.endpoint, endpoint) && s.stashId === input.stashId);
        if (!has) {
          // stash_ids is the one field sent: Stash sets the list given, so it is the current list plus the new link.
          const stashIds = [...performer.stashIds.map((s) => ({ endpoint: s.endpoint, stash_id: s.stashId })), { endpoint, stash_id: input.stashId }];
          await stash.request(PerformerUpdateDocument, { input: { id: performer.id, stash_ids: stashIds } }, { signal });
          deps.logger.info('performer linked to stash-box', { performerId: performer.id, endpoint: safeEndpoint(endpoint), stashId: input.stashId });
        }
        const addedToScene = await addToScene(input.sceneId, onScene, performer.id, signal);
        return { performer: ref(performer), outcome: has ? 'already_linked' : 'linked', addedToScene };
      });
    },

    async searchPerformers(query, first, signal) {
      const text = query.trim();
      if (!text) return [];
      const perPage = Math.min(Math.max(first ?? 10, 1), 50);
      const { findPerformers } = await deps.stash().request(FindPerformersDocument, { filter: { q: text, per_page: perPage, sort: 'name', direction: 'ASC' } }, { signal });
      return findPerformers.performers.map((p) => ({ id: p.id, name: p.name, sceneCount: p.scene_count }));
    },
  };
}

function lowestId(performers: readonly StashPerformer[]): StashPerformer {
  return [...performers].sort((a, b) => Number(a.id) - Number(b.id))[0]!;
}

function ref(performer: StashPerformer): StashBoxLinkResult['performer'] {
  return { id: performer.id, name: performer.name, sceneCount: performer.sceneCount };
}
