import type { StashClient, StashRequestOptions } from './client.js';
import { toStashIds } from './convert.js';
import {
  FindPerformerDocument,
  FindPerformersDocument,
  PerformerCreateDocument,
  PerformerMergeDocument,
  type GenderEnum,
  type PerformerFilterType,
  type StashPerformerFieldsFragment,
} from './generated/graphql.js';
import { pageByNumber } from './paging.js';
import type { StashId, StashPage, StashPerformer } from './types.js';

/** The performer, or undefined when Stash has no performer with that id. */
export async function getPerformer(stash: StashClient, performerId: string, options: StashRequestOptions = {}): Promise<StashPerformer | undefined> {
  const { findPerformer } = await stash.request(FindPerformerDocument, { id: performerId }, options);
  return findPerformer ? toPerformer(stash, findPerformer) : undefined;
}

/** The user's performers linked to this stash-box entry (normally one; duplicates happen). */
export async function findPerformersByStashId(stash: StashClient, stashId: StashId, options: StashRequestOptions = {}): Promise<StashPerformer[]> {
  return findAll(stash, { stash_id_endpoint: { endpoint: stashId.endpoint, stash_id: stashId.stashId, modifier: 'EQUALS' } }, options);
}

/**
 * Performers whose name or one of whose aliases is exactly `name`, ignoring case. Stash's EQUALS is a SQL LIKE,
 * where `%` and `_` are wildcards, so its answer is checked again here.
 */
export async function findPerformersByName(stash: StashClient, name: string, options: StashRequestOptions = {}): Promise<StashPerformer[]> {
  const wanted = name.trim().toLowerCase();
  if (!wanted) return [];
  const found = await findAll(
    stash,
    { name: { value: name.trim(), modifier: 'EQUALS' }, OR: { aliases: { value: name.trim(), modifier: 'EQUALS' } } },
    options,
  );
  return found.filter((p) => [p.name, ...p.aliases].some((n) => n.trim().toLowerCase() === wanted));
}

export interface ListPerformersOptions extends StashRequestOptions {
  performerFilter?: PerformerFilterType;
  perPage?: number;
}

/** Every matching performer, a page at a time, in id order (for enrolment from Stash). */
export function listPerformers(stash: StashClient, options: ListPerformersOptions = {}): AsyncGenerator<StashPage<StashPerformer>> {
  const perPage = options.perPage ?? 100;
  return pageByNumber(async (page) => {
    const { findPerformers } = await stash.request(
      FindPerformersDocument,
      { filter: { page, per_page: perPage, sort: 'id', direction: 'ASC' }, performerFilter: options.performerFilter },
      { signal: options.signal },
    );
    return { items: findPerformers.performers.map((p) => toPerformer(stash, p)), count: findPerformers.count };
  }, perPage);
}

export interface NewStashPerformer {
  name: string;
  disambiguation?: string;
  aliases?: string[];
  gender?: GenderEnum;
  country?: string;
  stashIds?: StashId[];
  /** A URL Stash downloads itself, or a `data:` URL. */
  image?: string;
}

export async function createPerformer(stash: StashClient, performer: NewStashPerformer, options: StashRequestOptions = {}): Promise<StashPerformer> {
  const { performerCreate } = await stash.request(
    PerformerCreateDocument,
    {
      input: {
        name: performer.name,
        disambiguation: performer.disambiguation,
        alias_list: performer.aliases,
        gender: performer.gender,
        country: performer.country,
        stash_ids: performer.stashIds?.map((s) => ({ endpoint: s.endpoint, stash_id: s.stashId })),
        image: performer.image,
      },
    },
    options,
  );
  if (!performerCreate) throw new Error('Stash answered performerCreate with no performer');
  return toPerformer(stash, performerCreate);
}

/** Stash's own merge: scenes, images, galleries and stash-box ids move to the destination; the sources are deleted. */
export async function mergePerformers(
  stash: StashClient,
  merge: { sourceIds: string[]; destinationId: string },
  options: StashRequestOptions = {},
): Promise<StashPerformer> {
  const { performerMerge } = await stash.request(PerformerMergeDocument, { input: { source: merge.sourceIds, destination: merge.destinationId } }, options);
  return toPerformer(stash, performerMerge);
}

async function findAll(stash: StashClient, performerFilter: PerformerFilterType, options: StashRequestOptions): Promise<StashPerformer[]> {
  const { findPerformers } = await stash.request(
    FindPerformersDocument,
    { filter: { per_page: -1, sort: 'id', direction: 'ASC' }, performerFilter },
    options,
  );
  return findPerformers.performers.map((p) => toPerformer(stash, p));
}

function toPerformer(stash: StashClient, performer: StashPerformerFieldsFragment): StashPerformer {
  return {
    id: performer.id,
    name: performer.name,
    disambiguation: performer.disambiguation,
    aliases: performer.alias_list,
    gender: performer.gender,
    country: performer.country,
    imageUrl: performer.image_path && !isDefaultImage(performer.image_path) ? stash.mediaUrl(performer.image_path) : null,
    sceneCount: performer.scene_count,
    stashIds: toStashIds(performer.stash_ids),
  };
}

/** Stash marks its placeholder picture with `default=true` in the image URL. */
function isDefaultImage(imagePath: string): boolean {
  try {
    return new URL(imagePath, 'http://stash.invalid').searchParams.get('default') === 'true';
  } catch {
    return false;
  }
}
