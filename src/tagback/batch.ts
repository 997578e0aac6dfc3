import { SenseError, isSenseError } from '../errors.js';
import type { FaceDatabase } from '../faces/index.js';
import type { FrameSourceName, SceneIdentification, SceneIdentifyService } from '../identify/index.js';
import type { JobContext } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import type { IdentificationStore } from '../state/index.js';
import { getScene, listScenes, type SceneFilterType, type StashClient } from '../stash/index.js';
import { decideSceneTagBack, type SceneOutcome, type SceneSuggestion } from './decide.js';
import { defaultStashRetry, retryWhileStashDown, type StashRetryPolicy } from './stash-retry.js';
import type { TagBackService } from './tagback-service.js';

export type TagBackScope = 'SCENES_WITHOUT_PERFORMERS' | 'ALL_SCENES' | 'SCENE_IDS' | 'SCENE_FILTER';

/** A batch tag-back as stored with its job (JSON): everything needed to resume it after a restart. */
export interface TagBackJobInput {
  scope: TagBackScope;
  sceneIds: string[];
  sceneFilter: SceneFilterType | null;
  autoApplyConfidence: number;
  suggestConfidence: number;
  sources: FrameSourceName[] | null;
  frameCount: number | null;
  dryRun: boolean;
  force: boolean;
  addSuggestedTag: boolean;
  limit: number | null;
}

export type TagBackItemOutcome = SceneOutcome | 'SKIPPED' | 'FAILED';

export interface TagBackItem {
  sceneId: string;
  outcome: TagBackItemOutcome;
  added: string[];
  recommendations: string[];
  error: string | null;
  /** The worker that identified the scene, in a batch spread over several hosts (QUEUE_URL). */
  worker?: string;
}

export interface TagBackSummary {
  dryRun: boolean;
  scenes: number;
  applied: number;
  wouldApply: number;
  performersAdded: number;
  recommended: number;
  noFaces: number;
  skipped: number;
  failed: number;
  items: TagBackItem[];
}

export interface ScenePerformerRecorder {
  /** Records one suggestion (idempotent per scene and performer); undefined when a dismissal suppresses it. */
  recordScenePerformer(input: { scene: { id: string; title: string | null }; suggestion: SceneSuggestion; databaseVersion: string }): string | undefined;
}

export interface TagBackBatchDeps {
  stash: () => StashClient;
  scenes: SceneIdentifyService;
  tagBack: TagBackService;
  identifications: IdentificationStore;
  recommendations: ScenePerformerRecorder;
  faces: () => FaceDatabase;
  logger: Logger;
  /** How a step waits for Stash to come back; tests pass short waits. */
  stashRetry?: StashRetryPolicy;
}

/** Each scene's steps are keyed by scene id, so a resumed job skips what it finished and never applies twice. */
export function createTagBackBatch(deps: TagBackBatchDeps) {
  const retryPolicy = deps.stashRetry ?? defaultStashRetry;
  return async function runTagBack(ctx: JobContext<TagBackJobInput>): Promise<TagBackSummary> {
    const { input, signal } = ctx;
    const patiently = <T>(done: number, current: string | null, attempt: () => Promise<T>) => retryWhileStashDown(ctx, retryPolicy, deps.logger, { done, current }, attempt);
    const sceneIds = await patiently(0, null, () => ctx.runStep('scope', { run: () => listScopeSceneIds(deps.stash(), input, signal) }));
    // Fixed at the job's start, so scenes this job identifies are not mistaken for earlier work on resume.
    const identifiedBefore = new Set(
      await ctx.runStep('identified-before', {
        run: async () => (input.force ? [] : [...deps.identifications.targetsIdentifiedWith('scene', deps.faces().info().version, sceneIds)]),
      }),
    );
    const items: TagBackItem[] = [];
    ctx.progress({ done: 0, total: sceneIds.length, current: null });
    for (const [index, sceneId] of sceneIds.entries()) {
      const item = await patiently(index, sceneId, () => processScene(ctx, sceneId, identifiedBefore.has(sceneId)));
      items.push(item);
      ctx.progress({ done: index + 1, total: sceneIds.length, current: sceneId });
    }
    const summary = summarise(items, input.dryRun);
    deps.logger.info('tag-back finished', { jobId: ctx.job.id, scenes: summary.scenes, applied: summary.applied, recommended: summary.recommended, failed: summary.failed });
    return summary;
  };

  async function processScene(ctx: JobContext<TagBackJobInput>, sceneId: string, identifiedBefore: boolean): Promise<TagBackItem> {
    const { input, signal } = ctx;
    // A scene identified with this database before the job reached it is skipped; one this job identified
    // (its step is recorded) carries on from the stored plan.
    const planned = await ctx.runStep(`plan:${sceneId}`, {
      run: async () => {
        if (identifiedBefore) return { item: skipped(sceneId), add: [] as string[] };
        try {
          return await ctx.withResource('vision', () => identifyAndPlan(sceneId, input, signal));
        } catch (error: unknown) {
          if (!isSenseError(error) || error.code === 'CANCELLED' || error.code === 'STASH_UNAVAILABLE' || error.code === 'STASH_AUTH' || signal.aborted) throw error;
          return { item: { sceneId, outcome: 'FAILED' as const, added: [], recommendations: [], error: error.message }, add: [] as string[] };
        }
      },
    });
    if (planned.add.length === 0 || input.dryRun) return planned.item;
    await ctx.runStep(`apply:${sceneId}`, {
      check: async (checkSignal) => {
        const scene = await getScene(deps.stash(), sceneId, { signal: checkSignal });
        const present = new Set(scene?.performers.map((p) => p.id) ?? []);
        return planned.add.every((id) => present.has(id)) ? { applied: true, result: true } : { applied: false };
      },
      run: async (runSignal) => {
        await deps.tagBack.applyPerformers('scene', { targetId: sceneId, performerIds: planned.add, addSuggestedTag: input.addSuggestedTag }, runSignal);
        return true;
      },
    });
    return planned.item;
  }

  async function identifyAndPlan(sceneId: string, input: TagBackJobInput, signal: AbortSignal): Promise<{ item: TagBackItem; add: string[] }> {
    const scene = await getScene(deps.stash(), sceneId, { signal });
    if (!scene) return { item: { sceneId, outcome: 'FAILED', added: [], recommendations: [], error: `Scene ${sceneId} no longer exists in Stash` }, add: [] };
    const result: SceneIdentification = await deps.scenes.identifyScene(sceneId, { sources: input.sources, frameCount: input.frameCount }, signal);
    const decision = decideSceneTagBack(result.persons, result.facesDetected, scene.performers.map((p) => p.id), input, input.dryRun);
    const recommendations = input.dryRun
      ? []
      : decision.suggestions.flatMap((suggestion) => deps.recommendations.recordScenePerformer({ scene, suggestion, databaseVersion: result.databaseVersion }) ?? []);
    return { item: { sceneId, outcome: decision.outcome, added: decision.add, recommendations, error: null }, add: decision.add };
  }
}

function skipped(sceneId: string): TagBackItem {
  return { sceneId, outcome: 'SKIPPED', added: [], recommendations: [], error: null };
}

/** The scene ids a batch covers, in order; exported for the distributed batch (src/queue). */
export async function listScopeSceneIds(stash: StashClient, input: TagBackJobInput, signal: AbortSignal): Promise<string[]> {
  const limit = input.limit ?? Number.POSITIVE_INFINITY;
  if (input.scope === 'SCENE_IDS') return [...new Set(input.sceneIds)].slice(0, Number.isFinite(limit) ? limit : undefined);
  const ids: string[] = [];
  const pages = listScenes(stash, {
    signal,
    withoutPerformers: input.scope === 'SCENES_WITHOUT_PERFORMERS',
    sceneFilter: input.scope === 'SCENE_FILTER' ? (input.sceneFilter ?? undefined) : undefined,
  });
  for await (const page of pages) {
    for (const scene of page.items) {
      if (ids.length >= limit) return ids;
      ids.push(scene.id);
    }
  }
  return ids;
}

export function summarise(items: readonly TagBackItem[], dryRun: boolean): TagBackSummary {
  const count = (outcome: TagBackItemOutcome) => items.filter((item) => item.outcome === outcome).length;
  return {
    dryRun,
    scenes: items.length,
    applied: count('APPLIED'),
    wouldApply: count('WOULD_APPLY'),
    performersAdded: items.filter((item) => item.outcome === 'APPLIED').reduce((sum, item) => sum + item.added.length, 0),
    recommended: items.reduce((sum, item) => sum + item.recommendations.length, 0),
    noFaces: count('NO_FACES'),
    skipped: count('SKIPPED'),
    failed: count('FAILED'),
    items: [...items],
  };
}

/**
 * The batch adds a performer at this calibrated confidence or above. Fitted on lfw-dev and footage with
 * `npm run bench -- accuracy` (2026-12): no wrong name on the footage or the shared photos, and on LFW single
 * photos about 1 named decision in 200 at or above it is wrong; scene persons matched over many frames reach it
 * easily (their templates sit at 0.99+).
 */
export const DEFAULT_AUTO_APPLY_CONFIDENCE = 0.95;
/** Candidates from here up to auto-apply become recommendations; below NAME_CONFIDENCE (0.6) nobody is named anyway. */
export const DEFAULT_SUGGEST_CONFIDENCE = 0.5;

/** Checks and completes what a caller (GraphQL, CLI) asked for, with the documented defaults. */
export function toTagBackJobInput(raw: {
  scope?: TagBackScope | null;
  sceneIds?: readonly string[] | null;
  sceneFilter?: string | null;
  autoApplyConfidence?: number | null;
  suggestConfidence?: number | null;
  sources?: readonly FrameSourceName[] | null;
  frameCount?: number | null;
  dryRun?: boolean | null;
  force?: boolean | null;
  addSuggestedTag?: boolean | null;
  limit?: number | null;
}): TagBackJobInput {
  const scope = raw.scope ?? (raw.sceneIds?.length ? 'SCENE_IDS' : 'SCENES_WITHOUT_PERFORMERS');
  const autoApplyConfidence = raw.autoApplyConfidence ?? DEFAULT_AUTO_APPLY_CONFIDENCE;
  const suggestConfidence = raw.suggestConfidence ?? DEFAULT_SUGGEST_CONFIDENCE;
  for (const [name, value] of [['autoApplyConfidence', autoApplyConfidence], ['suggestConfidence', suggestConfidence]] as const) {
    if (!(value >= 0 && value <= 1)) throw new SenseError('BAD_INPUT', `${name} must be from 0 to 1 (got ${value})`);
  }
  if (suggestConfidence > autoApplyConfidence) throw new SenseError('BAD_INPUT', 'suggestConfidence must not be above autoApplyConfidence');
  if (scope === 'SCENE_IDS' && !raw.sceneIds?.length) throw new SenseError('BAD_INPUT', 'scope SCENE_IDS needs sceneIds');
  let sceneFilter: SceneFilterType | null = null;
  if (scope === 'SCENE_FILTER') {
    if (!raw.sceneFilter) throw new SenseError('BAD_INPUT', 'scope SCENE_FILTER needs sceneFilter (a Stash SceneFilterType as JSON)');
    try {
      const parsed: unknown = JSON.parse(raw.sceneFilter);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      sceneFilter = parsed as SceneFilterType;
    } catch {
      throw new SenseError('BAD_INPUT', 'sceneFilter must be a JSON object (a Stash SceneFilterType)');
    }
  }
  if (raw.limit != null && !(Number.isInteger(raw.limit) && raw.limit > 0)) throw new SenseError('BAD_INPUT', `limit must be a positive whole number (got ${raw.limit})`);
  if (raw.frameCount != null && !(Number.isInteger(raw.frameCount) && raw.frameCount > 0 && raw.frameCount <= 1000)) {
    throw new SenseError('BAD_INPUT', `frameCount must be from 1 to 1000 (got ${raw.frameCount})`);
  }
  return {
    scope,
    sceneIds: [...(raw.sceneIds ?? [])],
    sceneFilter,
    autoApplyConfidence,
    suggestConfidence,
    sources: raw.sources?.length ? [...raw.sources] : null,
    frameCount: raw.frameCount ?? null,
    dryRun: raw.dryRun ?? false,
    force: raw.force ?? false,
    addSuggestedTag: raw.addSuggestedTag ?? false,
    limit: raw.limit ?? null,
  };
}
