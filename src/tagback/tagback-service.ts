import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  addPerformersToGalleries,
  addPerformersToImages,
  addPerformersToScenes,
  ensureTag,
  findTagByName,
  getGallery,
  getImage,
  getPerformer,
  getScene,
  type StashClient,
  type StashTaggedItem,
} from '../stash/index.js';
import { planChangesNothing, planTagBack, type TagBackPlan } from './plan.js';

export type TagBackTargetKind = 'scene' | 'image' | 'gallery';

export interface ApplyPerformersInput {
  targetId: string;
  /** The user's Stash performer ids. */
  performerIds: string[];
  dryRun?: boolean;
  /** Also add the configured "suggested" tag (created in Stash if missing, unless dry-running). */
  addSuggestedTag?: boolean;
}

export interface TagBackResult {
  kind: TagBackTargetKind;
  targetId: string;
  dryRun: boolean;
  /** Performers added (or, dry-running, that would be). */
  added: string[];
  alreadyPresent: string[];
  /** The tag added (or that would be), by name. */
  tagAdded: string | null;
  /** Whether Stash was changed by this call. */
  changed: boolean;
  /** The item's performers after the call (dry run: as they would be). */
  performerIds: string[];
}

export interface TagBackService {
  applyPerformers(kind: TagBackTargetKind, input: ApplyPerformersInput, signal?: AbortSignal): Promise<TagBackResult>;
}

const labels: Record<TagBackTargetKind, string> = { scene: 'Scene', image: 'Image', gallery: 'Gallery' };

export function createTagBackService(deps: { stash: () => StashClient; suggestedTagName: string; logger: Logger }): TagBackService {
  const load = async (stash: StashClient, kind: TagBackTargetKind, id: string, signal?: AbortSignal): Promise<StashTaggedItem | undefined> => {
    const item = kind === 'scene' ? await getScene(stash, id, { signal }) : kind === 'image' ? await getImage(stash, id, { signal }) : await getGallery(stash, id, { signal });
    return item && { id: item.id, performerIds: item.performers.map((p) => p.id), tagIds: item.tags.map((t) => t.id) };
  };
  const add = (stash: StashClient, kind: TagBackTargetKind, plan: TagBackPlan, signal?: AbortSignal) => {
    const options = { tagIds: plan.tagToAdd ? [plan.tagToAdd] : [], signal };
    if (kind === 'scene') return addPerformersToScenes(stash, [plan.targetId], plan.toAdd, options);
    if (kind === 'image') return addPerformersToImages(stash, [plan.targetId], plan.toAdd, options);
    return addPerformersToGalleries(stash, [plan.targetId], plan.toAdd, options);
  };

  return {
    async applyPerformers(kind, input, signal) {
      const stash = deps.stash();
      const dryRun = input.dryRun ?? false;
      if (input.performerIds.length === 0 && !input.addSuggestedTag) throw new SenseError('BAD_INPUT', 'Give at least one performer id to add');
      const item = await load(stash, kind, input.targetId, signal);
      if (!item) throw new SenseError('NOT_FOUND', `${labels[kind]} ${input.targetId} does not exist in Stash`);
      const missing: string[] = [];
      for (const id of new Set(input.performerIds)) if (!item.performerIds.includes(id) && !(await getPerformer(stash, id, { signal }))) missing.push(id);
      if (missing.length > 0) throw new SenseError('NOT_FOUND', `Performer ${missing.join(', ')} does not exist in Stash; nothing was changed`);

      let tagId: string | null = null;
      if (input.addSuggestedTag) {
        tagId = dryRun ? ((await findTagByName(stash, deps.suggestedTagName, { signal }))?.id ?? 'new') : (await ensureTag(stash, deps.suggestedTagName, { signal })).tag.id;
      }
      const plan = planTagBack(item, input.performerIds, tagId);
      const result = (changed: boolean, performerIds: string[]): TagBackResult => ({
        kind,
        targetId: item.id,
        dryRun,
        added: plan.toAdd,
        alreadyPresent: plan.alreadyPresent,
        tagAdded: plan.tagToAdd ? deps.suggestedTagName : null,
        changed,
        performerIds,
      });
      if (dryRun || planChangesNothing(plan)) return result(false, [...item.performerIds, ...(dryRun ? plan.toAdd : [])]);
      const [after] = await add(stash, kind, plan, signal);
      deps.logger.info('performers added', { kind, id: item.id, added: plan.toAdd.length, tag: plan.tagToAdd !== null });
      return result(true, after?.performerIds ?? [...item.performerIds, ...plan.toAdd]);
    },
  };
}
