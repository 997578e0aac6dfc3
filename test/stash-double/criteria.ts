import type { GalleryRecord, ImageRecord, PerformerRecord, SceneRecord, StashStore, TagRecord } from './fixtures.js';
import { idsMatch, intMatches, matchesFilter, missing, stashIdMatches, stringMatches, type Criteria } from './filters.js';
import { countWith, pick } from './lookups.js';

/** The filter criteria and sorts the double understands, per Stash type, with Stash's field names. */

export function sceneCriteria(store: StashStore): Criteria<SceneRecord> {
  return {
    id: (s, c) => intMatches(Number(s.id), c),
    title: (s, c) => stringMatches(s.title, c),
    path: (s, c) => stringMatches(s.files.map((f) => f.path), c),
    oshash: (s, c) => stringMatches(fingerprints(s, 'oshash'), c),
    checksum: (s, c) => stringMatches(fingerprints(s, 'md5'), c),
    organized: (s, v) => s.organized === v,
    file_count: (s, c) => intMatches(s.files.length, c),
    duration: (s, c) => intMatches(Math.round(s.files[0]?.duration ?? 0), c),
    performer_count: (s, c) => intMatches(s.performerIds.length, c),
    performers: (s, c) => idsMatch(s.performerIds, c),
    tags: (s, c) => idsMatch(s.tagIds, c),
    tag_count: (s, c) => intMatches(s.tagIds.length, c),
    galleries: (s, c) => idsMatch(s.galleryIds, c),
    studios: (s, c) => idsMatch(s.studioId ? [s.studioId] : [], c),
    stash_id_endpoint: (s, c) => stashIdMatches(s.stash_ids, c),
    is_missing: (s, what) =>
      missing(
        {
          performers: () => s.performerIds.length === 0,
          tags: () => s.tagIds.length === 0,
          galleries: () => s.galleryIds.length === 0,
          studio: () => s.studioId === null,
          stash_id: () => s.stash_ids.length === 0,
          title: () => !s.title,
        },
        what,
        'SceneFilterType',
      ),
    performers_filter: (s, f) =>
      pick(store.performers, s.performerIds).some((p) => matchesFilter(p, f, performerCriteria(store), 'PerformerFilterType')),
  };
}

function fingerprints(scene: SceneRecord, type: string): string[] {
  return scene.files.flatMap((f) => f.fingerprints.filter((p) => p.type === type).map((p) => p.value));
}

export const imageCriteria: Criteria<ImageRecord> = {
  id: (i, c) => intMatches(Number(i.id), c),
  title: (i, c) => stringMatches(i.title, c),
  path: (i, c) => stringMatches(i.file?.path ?? null, c),
  organized: (i, v) => i.organized === v,
  performers: (i, c) => idsMatch(i.performerIds, c),
  performer_count: (i, c) => intMatches(i.performerIds.length, c),
  galleries: (i, c) => idsMatch(i.galleryIds, c),
  tags: (i, c) => idsMatch(i.tagIds, c),
  is_missing: (i, what) =>
    missing({ performers: () => i.performerIds.length === 0, galleries: () => i.galleryIds.length === 0, tags: () => i.tagIds.length === 0 }, what, 'ImageFilterType'),
};

export const galleryCriteria: Criteria<GalleryRecord> = {
  id: (g, c) => intMatches(Number(g.id), c),
  title: (g, c) => stringMatches(g.title, c),
  path: (g, c) => stringMatches(g.path, c),
  performers: (g, c) => idsMatch(g.performerIds, c),
  performer_count: (g, c) => intMatches(g.performerIds.length, c),
  tags: (g, c) => idsMatch(g.tagIds, c),
};

export function performerCriteria(store: StashStore): Criteria<PerformerRecord> {
  return {
    id: (p, c) => intMatches(Number(p.id), c),
    name: (p, c) => stringMatches(p.name, c),
    disambiguation: (p, c) => stringMatches(p.disambiguation, c),
    aliases: (p, c) => stringMatches(p.alias_list, c),
    country: (p, c) => stringMatches(p.country, c),
    gender: (p, c) => {
      const { value, value_list: list, modifier } = c as { value?: string; value_list?: string[]; modifier: string };
      const wanted = list ?? (value ? [value] : []);
      const hit = p.gender !== null && p.gender !== undefined && wanted.includes(p.gender);
      return modifier === 'NOT_EQUALS' || modifier === 'EXCLUDES' ? !hit : hit;
    },
    stash_id_endpoint: (p, c) => stashIdMatches(p.stash_ids, c),
    scene_count: (p, c) => intMatches(countWith(store.scenes, p.id), c),
    is_missing: (p, what) =>
      missing(
        { image: () => p.image === undefined, stash_id: () => p.stash_ids.length === 0, aliases: () => p.alias_list.length === 0 },
        what,
        'PerformerFilterType',
      ),
  };
}

export const tagCriteria: Criteria<TagRecord> = {
  id: (t, c) => intMatches(Number(t.id), c),
  name: (t, c) => stringMatches(t.name, c),
  aliases: (t, c) => stringMatches(t.aliases, c),
};

export const sceneSorts = {
  id: (s: SceneRecord) => Number(s.id),
  title: (s: SceneRecord) => s.title,
  path: (s: SceneRecord) => s.files[0]?.path ?? null,
  duration: (s: SceneRecord) => s.files[0]?.duration ?? null,
  performer_count: (s: SceneRecord) => s.performerIds.length,
  created_at: (s: SceneRecord) => s.created_at,
  updated_at: (s: SceneRecord) => s.updated_at,
};

export const titleSorts = {
  id: (r: { id: string }) => Number(r.id),
  title: (r: { title: string | null }) => r.title,
  created_at: (r: { created_at: string }) => r.created_at,
  updated_at: (r: { updated_at: string }) => r.updated_at,
};

export const nameSorts = {
  id: (r: { id: string }) => Number(r.id),
  name: (r: { name: string }) => r.name,
  created_at: (r: { created_at: string }) => r.created_at,
  updated_at: (r: { updated_at: string }) => r.updated_at,
};

export function performerSorts(store: StashStore) {
  return { ...nameSorts, scenes_count: (p: PerformerRecord) => countWith(store.scenes, p.id) };
}
