// Reading the user's Stash library for the analysers: every scene with what duplicate detection and file choice
// need, and the performers linked to stash-box.
import {
  FindPerformersDocument,
  FindScenesForAnalysisDocument,
  listPerformers,
  type AnalysisSceneFieldsFragment,
  type SceneFilterType,
  type StashClient,
  type StashId,
  type StashPerformer,
} from '../stash/index.js';

export interface AnalysisFile {
  id: string;
  path: string;
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
  /** Bits per second; 0 when Stash does not know. */
  bitRate: number;
  videoCodec: string;
}

export interface AnalysisScene {
  id: string;
  title: string | null;
  date: string | null;
  /** files[0] is the primary file. */
  files: AnalysisFile[];
  performers: { id: string; name: string }[];
  tagIds: string[];
  galleryIds: string[];
  studio: { id: string; name: string } | null;
  stashIds: StashId[];
}

const SCENES_PER_PAGE = 250;

export interface ReadScenesOptions {
  /** Only these scenes (no paging). */
  ids?: string[];
  sceneFilter?: SceneFilterType;
  signal?: AbortSignal;
}

/** Every matching scene, read a page at a time by id (`id > last`), so scenes changing meanwhile do not shift pages. */
export async function readScenes(stash: StashClient, options: ReadScenesOptions = {}): Promise<AnalysisScene[]> {
  if (options.ids) {
    if (options.ids.length === 0) return [];
    const { findScenes } = await stash.request(
      FindScenesForAnalysisDocument,
      { ids: options.ids, filter: { per_page: -1, sort: 'id', direction: 'ASC' } },
      { signal: options.signal },
    );
    return findScenes.scenes.map(toAnalysisScene);
  }
  const scenes: AnalysisScene[] = [];
  let afterId: number | undefined;
  for (;;) {
    const base = options.sceneFilter;
    const sceneFilter: SceneFilterType | undefined =
      afterId === undefined ? base : { id: { value: afterId, modifier: 'GREATER_THAN' }, ...(base ? { AND: base } : {}) };
    const { findScenes } = await stash.request(
      FindScenesForAnalysisDocument,
      { filter: { page: 1, per_page: SCENES_PER_PAGE, sort: 'id', direction: 'ASC' }, sceneFilter },
      { signal: options.signal },
    );
    scenes.push(...findScenes.scenes.map(toAnalysisScene));
    const last = findScenes.scenes.at(-1);
    if (!last || findScenes.scenes.length < SCENES_PER_PAGE) return scenes;
    afterId = Number(last.id);
  }
}

/** Performers with at least one stash-box link: the only ones that can share one. */
export async function readLinkedPerformers(stash: StashClient, signal?: AbortSignal): Promise<StashPerformer[]> {
  const performers: StashPerformer[] = [];
  for await (const page of listPerformers(stash, { performerFilter: { stash_id_endpoint: { modifier: 'NOT_NULL' } }, perPage: 500, signal })) {
    performers.push(...page.items);
  }
  return performers;
}

/** The performers that still exist among `ids`, with their current stash-box links. */
export async function readPerformers(stash: StashClient, ids: string[], signal?: AbortSignal): Promise<Map<string, { id: string; name: string; aliases: string[]; stashIds: StashId[] }>> {
  const { findPerformers } = await stash.request(FindPerformersDocument, { ids, filter: { per_page: -1 } }, { signal });
  return new Map(
    findPerformers.performers.map((p) => [
      p.id,
      { id: p.id, name: p.name, aliases: p.alias_list, stashIds: p.stash_ids.map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })) },
    ]),
  );
}

export function toAnalysisScene(scene: AnalysisSceneFieldsFragment): AnalysisScene {
  return {
    id: scene.id,
    title: scene.title?.trim() || null,
    date: scene.date,
    files: scene.files.map((file) => ({
      id: file.id,
      path: file.path,
      sizeBytes: file.size,
      durationSec: file.duration,
      width: file.width,
      height: file.height,
      bitRate: file.bit_rate,
      videoCodec: file.video_codec,
    })),
    performers: scene.performers.map((p) => ({ id: p.id, name: p.name })),
    tagIds: scene.tags.map((t) => t.id),
    galleryIds: scene.galleries.map((g) => g.id),
    studio: scene.studio ? { id: scene.studio.id, name: scene.studio.name } : null,
    stashIds: scene.stash_ids.map((s) => ({ endpoint: s.endpoint, stashId: s.stash_id })),
  };
}
