// Carrying a recommendation out in Stash. Each action first checks that what the recommendation describes still
// exists, so a stale one fails with nothing sent; then it sends one mutation.
import { SenseError } from '../errors.js';
import {
  PerformerMergeDocument,
  SceneMergeDocument,
  SceneSetPrimaryFileDocument,
  addPerformersToScenes,
  getPerformer,
  getScene,
  type StashClient,
  type StashIdInput,
} from '../stash/index.js';
import { stashIdKey } from './duplicate-performers.js';
import { readPerformers, readScenes, type AnalysisScene } from './library.js';
import type { StateTransaction } from '../state/index.js';
import type { RecommendationTarget, RecommendationView } from './types.js';
import { acceptUpstreamChanges } from './upstream-accept.js';
import type { FieldChoice } from './upstream-diff.js';

export interface AcceptOutcome {
  /** What was done, stored with the accepted recommendation. */
  resolution: Record<string, unknown>;
  /** Stash entities the action removed (merged away): other pending recommendations about them are void. */
  removed: RecommendationTarget[];
  /** State written in the same transaction as the acceptance. */
  commit?: (tx: StateTransaction) => void;
}

export async function carryOut(
  recommendation: RecommendationView,
  choice: string | undefined,
  stash: StashClient,
  signal?: AbortSignal,
  fields?: readonly FieldChoice[],
): Promise<AcceptOutcome> {
  if (fields && recommendation.type !== 'upstream_performer_changes') {
    throw new SenseError('BAD_INPUT', `fields applies to UPSTREAM_PERFORMER_CHANGES recommendations only; use choice for ${recommendation.type.toUpperCase()}`);
  }
  switch (recommendation.type) {
    case 'upstream_performer_changes':
      return { ...(await acceptUpstreamChanges(recommendation, fields, stash, signal)), removed: [] };
    case 'scene_performer':
      return addScenePerformer(recommendation, choice, stash, signal);
    case 'duplicate_performer':
      return mergeDuplicatePerformers(recommendation, choice, stash, signal);
    case 'scene_files':
      return keepSceneFile(recommendation, choice, stash, signal);
    case 'duplicate_scene':
      return mergeDuplicateScenes(recommendation, choice, stash, signal);
  }
}

type ViewOf<T extends RecommendationView['type']> = Extract<RecommendationView, { type: T }>;

/** ADD only (bulkSceneUpdate), as every tag-back: what is on the scene stays. `choice` names another Stash performer. */
async function addScenePerformer(recommendation: ViewOf<'scene_performer'>, choice: string | undefined, stash: StashClient, signal?: AbortSignal): Promise<AcceptOutcome> {
  const { sceneId, candidate } = recommendation.details;
  const performerId = choice ?? candidate.link.stashPerformerId;
  if (!performerId) {
    throw new SenseError(
      'BAD_INPUT',
      `${candidate.name} is not in your Stash library, so there is no performer to add to scene ${sceneId}: create the performer in Stash ` +
        `(with its stash-box ID, if it has one) and identify the scene again, or pass choice with the id of the Stash performer to add`,
    );
  }
  const scene = await getScene(stash, sceneId, { signal });
  if (!scene) throw stale(recommendation, `scene ${sceneId} no longer exists in Stash`);
  const performer = await getPerformer(stash, performerId, { signal });
  if (!performer) {
    if (choice) throw new SenseError('BAD_INPUT', `Stash has no performer ${choice}`);
    throw stale(recommendation, `performer ${performerId} no longer exists in Stash`);
  }
  const alreadyTagged = scene.performers.some((p) => p.id === performerId);
  await addPerformersToScenes(stash, [sceneId], [performerId], { signal });
  return { resolution: { action: 'added_performer', sceneId, performerId, alreadyTagged }, removed: [] };
}

/** Stash's own performerMerge, so scenes, images, galleries and stash-box ids move and the duplicates go. */
async function mergeDuplicatePerformers(recommendation: ViewOf<'duplicate_performer'>, choice: string | undefined, stash: StashClient, signal?: AbortSignal): Promise<AcceptOutcome> {
  const { performers, keepPerformerId, sharedStashIds } = recommendation.details;
  const keep = choice ?? keepPerformerId;
  if (!performers.some((p) => p.id === keep)) {
    throw new SenseError('BAD_INPUT', `choice must be one of the performers of recommendation ${recommendation.id} (${performers.map((p) => p.id).join(', ')}), not ${keep}`);
  }
  const current = await readPerformers(stash, performers.map((p) => p.id), signal);
  const shared = new Set(sharedStashIds.map(stashIdKey));
  for (const performer of performers) {
    const now = current.get(performer.id);
    if (!now) throw stale(recommendation, `performer ${performer.id} no longer exists in Stash`);
    if (!now.stashIds.some((s) => shared.has(stashIdKey(s)))) throw stale(recommendation, `performer ${performer.id} is no longer linked to the shared stash-box performer`);
  }
  const destination = current.get(keep)!;
  const sources = performers.filter((p) => p.id !== keep).map((p) => current.get(p.id)!);
  // The duplicates' names become aliases of the keeper, so matching by name still finds it.
  const known = new Set([destination.name, ...destination.aliases].map((n) => n.trim().toLowerCase()));
  const newAliases: string[] = [];
  for (const name of sources.flatMap((p) => [p.name, ...p.aliases])) {
    const normal = name.trim().toLowerCase();
    if (normal && !known.has(normal)) {
      known.add(normal);
      newAliases.push(name.trim());
    }
  }
  await stash.request(
    PerformerMergeDocument,
    {
      input: {
        source: sources.map((p) => p.id),
        destination: keep,
        values: newAliases.length > 0 ? { id: keep, alias_list: [...destination.aliases, ...newAliases] } : undefined,
      },
    },
    { signal },
  );
  return {
    resolution: { action: 'merged_performers', keptPerformerId: keep, mergedPerformerIds: sources.map((p) => p.id), addedAliases: newAliases },
    removed: sources.map((p) => ({ type: 'performer', id: p.id })),
  };
}

/** The kept file becomes the primary one. No file is deleted: that stays the user's call, in Stash. */
async function keepSceneFile(recommendation: ViewOf<'scene_files'>, choice: string | undefined, stash: StashClient, signal?: AbortSignal): Promise<AcceptOutcome> {
  const { sceneId, files, keepFileId } = recommendation.details;
  const keep = choice ?? keepFileId;
  if (!files.some((f) => f.id === keep)) {
    throw new SenseError('BAD_INPUT', `choice must be one of the files of recommendation ${recommendation.id} (${files.map((f) => f.id).join(', ')}), not ${keep}`);
  }
  const [scene] = await readScenes(stash, { ids: [sceneId], signal });
  if (!scene) throw stale(recommendation, `scene ${sceneId} no longer exists in Stash`);
  if (!scene.files.some((f) => f.id === keep)) throw stale(recommendation, `file ${keep} is no longer part of scene ${sceneId}`);
  const changed = scene.files[0]?.id !== keep;
  if (changed) await stash.request(SceneSetPrimaryFileDocument, { sceneId, fileId: keep }, { signal });
  return {
    resolution: { action: 'set_primary_file', sceneId, primaryFileId: keep, changed, otherFileIds: scene.files.filter((f) => f.id !== keep).map((f) => f.id) },
    removed: [],
  };
}

/**
 * Stash's own sceneMerge: the other scene's files move to the kept one (none is deleted) and the other scene
 * goes. Its performers, tags, galleries and stash-box ids are carried over in `values`, as Stash's merge dialog
 * does; this is the one place lists are sent whole, read just before, because the merge removes the source.
 */
async function mergeDuplicateScenes(recommendation: ViewOf<'duplicate_scene'>, choice: string | undefined, stash: StashClient, signal?: AbortSignal): Promise<AcceptOutcome> {
  const { sceneIds, keepSceneId } = recommendation.details;
  const keep = choice ?? keepSceneId;
  if (!sceneIds.includes(keep)) throw new SenseError('BAD_INPUT', `choice must be one of the scenes of recommendation ${recommendation.id} (${sceneIds.join(', ')}), not ${keep}`);
  const scenes = new Map((await readScenes(stash, { ids: sceneIds, signal })).map((scene) => [scene.id, scene]));
  for (const id of sceneIds) if (!scenes.has(id)) throw stale(recommendation, `scene ${id} no longer exists in Stash`);
  const destination = scenes.get(keep)!;
  const sources = sceneIds.filter((id) => id !== keep).map((id) => scenes.get(id)!);
  const all = [destination, ...sources];
  const union = (pick: (scene: AnalysisScene) => string[]) => [...new Set(all.flatMap(pick))];
  const stashIds = new Map<string, StashIdInput>();
  for (const scene of all) for (const s of scene.stashIds) stashIds.set(stashIdKey(s), { endpoint: s.endpoint, stash_id: s.stashId });
  await stash.request(
    SceneMergeDocument,
    {
      input: {
        source: sources.map((s) => s.id),
        destination: keep,
        values: {
          id: keep,
          performer_ids: union((s) => s.performers.map((p) => p.id)),
          tag_ids: union((s) => s.tagIds),
          gallery_ids: union((s) => s.galleryIds),
          stash_ids: [...stashIds.values()],
        },
        play_history: true,
        o_history: true,
      },
    },
    { signal },
  );
  return {
    resolution: { action: 'merged_scenes', keptSceneId: keep, mergedSceneIds: sources.map((s) => s.id), movedFileIds: sources.flatMap((s) => s.files.map((f) => f.id)) },
    removed: sources.map((s) => ({ type: 'scene', id: s.id })),
  };
}

function stale(recommendation: RecommendationView, why: string): SenseError {
  return new SenseError('CONFLICT', `Recommendation ${recommendation.id} is out of date (${why}); nothing was changed. Run analyzeLibrary or identify again to refresh it`);
}
