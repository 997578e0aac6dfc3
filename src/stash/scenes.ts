import type { StashClient, StashRequestOptions } from './client.js';
import { safeUrl, toPerformerRefs, toStashIds, toTagRefs } from './convert.js';
import {
  AddScenePerformersDocument,
  FindSceneDocument,
  FindScenesDocument,
  type SceneFilterType,
  type StashSceneFieldsFragment,
} from './generated/graphql.js';
import { pageById } from './paging.js';
import type { StashPage, StashScene, StashTaggedItem } from './types.js';

/** The scene, or undefined when Stash has no scene with that id. */
export async function getScene(stash: StashClient, sceneId: string, options: StashRequestOptions = {}): Promise<StashScene | undefined> {
  const { findScene } = await stash.request(FindSceneDocument, { id: sceneId }, options);
  return findScene ? toScene(stash, findScene) : undefined;
}

export interface ListScenesOptions extends StashRequestOptions {
  /** Any of Stash's scene criteria; combined (AND) with the options below. */
  sceneFilter?: SceneFilterType;
  /** Only scenes with no performers yet (`performer_count = 0`). */
  withoutPerformers?: boolean;
  perPage?: number;
}

/** Every matching scene, a page at a time, in id order; safe to tag scenes while iterating. */
export function listScenes(stash: StashClient, options: ListScenesOptions = {}): AsyncGenerator<StashPage<StashScene>> {
  const perPage = options.perPage ?? 100;
  let filter = options.sceneFilter;
  if (options.withoutPerformers) {
    filter = { performer_count: { value: 0, modifier: 'EQUALS' }, ...(filter ? { AND: filter } : {}) };
  }
  return pageById(async (afterId) => {
    const sceneFilter: SceneFilterType | undefined =
      afterId === undefined ? filter : { id: { value: afterId, modifier: 'GREATER_THAN' }, ...(filter ? { AND: filter } : {}) };
    const { findScenes } = await stash.request(
      FindScenesDocument,
      { filter: { page: 1, per_page: perPage, sort: 'id', direction: 'ASC' }, sceneFilter },
      { signal: options.signal },
    );
    return { items: findScenes.scenes.map((scene) => toScene(stash, scene)), count: findScenes.count };
  }, perPage);
}

export interface AddPerformersOptions extends StashRequestOptions {
  /** Tags to add as well (e.g. the "suggested" tag); also mode ADD. */
  tagIds?: string[];
}

/**
 * Adds performers (and tags) to scenes with one `bulkSceneUpdate`, mode ADD: what is on a scene stays, and
 * adding what is already there changes nothing. Returns each scene's lists afterwards.
 */
export async function addPerformersToScenes(
  stash: StashClient,
  sceneIds: string[],
  performerIds: string[],
  options: AddPerformersOptions = {},
): Promise<StashTaggedItem[]> {
  const { bulkSceneUpdate } = await stash.request(
    AddScenePerformersDocument,
    { ids: sceneIds, performerIds, tagIds: options.tagIds ?? [] },
    { signal: options.signal },
  );
  return (bulkSceneUpdate ?? []).map(toTaggedItem);
}

export function toTaggedItem(item: { id: string; performers: { id: string }[]; tags: { id: string }[] }): StashTaggedItem {
  return { id: item.id, performerIds: item.performers.map((p) => p.id), tagIds: item.tags.map((t) => t.id) };
}

function toScene(stash: StashClient, scene: StashSceneFieldsFragment): StashScene {
  return {
    id: scene.id,
    title: scene.title,
    updatedAt: scene.updated_at,
    files: scene.files.map((file) => ({
      id: file.id,
      path: file.path,
      basename: file.basename,
      sizeBytes: file.size,
      durationSeconds: file.duration,
      width: file.width,
      height: file.height,
      frameRate: file.frame_rate,
      videoCodec: file.video_codec,
      fingerprints: Object.fromEntries(file.fingerprints.map((f) => [f.type, f.value])),
    })),
    paths: {
      screenshot: safeUrl(stash, scene.paths.screenshot),
      sprite: safeUrl(stash, scene.paths.sprite),
      vtt: safeUrl(stash, scene.paths.vtt),
      stream: safeUrl(stash, scene.paths.stream),
    },
    performers: toPerformerRefs(scene.performers),
    tags: toTagRefs(scene.tags),
    stashIds: toStashIds(scene.stash_ids),
    studio: scene.studio ? { id: scene.studio.id, name: scene.studio.name } : null,
  };
}
