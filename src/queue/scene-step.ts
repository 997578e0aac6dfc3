// One scene of a distributed batch, as a worker runs it: identify and decide once (the plan is kept in Redis),
// write to Stash at most once (a claim in Redis, and an ADD of only what is missing), then report the result.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isSenseError } from '../errors.js';
import type { FaceDatabase } from '../faces/index.js';
import type { SceneIdentifyService } from '../identify/index.js';
import type { Logger } from '../logger.js';
import { getScene, type StashClient } from '../stash/index.js';
import { decideSceneTagBack, type TagBackService } from '../tagback/index.js';
import { batchKeys, type BatchKeys } from './keys.js';
import type { SceneStepData, SceneStepResult } from './types.js';

export type SceneStepOutcome =
  | { kind: 'reported'; result: SceneStepResult }
  /** The batch moved on (cancelled, or its coordinator restarted and queued the scene again): nothing was done. */
  | { kind: 'stale' }
  /** This worker's face database is another version than the step's, even after a reload. */
  | { kind: 'refused'; version: string };

export interface SceneStepDeps {
  redis: Redis;
  stash: () => StashClient;
  scenes: SceneIdentifyService;
  tagBack: TagBackService;
  faces: () => FaceDatabase;
  /** Opens the face database again from disk (a new copy may have been installed). */
  reloadFaces: () => Promise<void>;
  worker: string;
  /** How long a claim to write one scene lasts if its worker dies while writing. */
  applyLockMs: number;
  /** A worker with the wrong face database reopens its own at most this often (default 30 s). */
  reloadIntervalMs?: number;
  logger: Logger;
}

export interface SceneStepRunner {
  run(data: SceneStepData, signal: AbortSignal): Promise<SceneStepOutcome>;
  /** What is reported for a step that failed for good (its retries ran out, or its workers kept dying). */
  reportFailed(data: SceneStepData, message: string): Promise<void>;
}

/** A reload reads every index file again; a worker with the wrong database tries it at most this often. */
const DEFAULT_RELOAD_INTERVAL_MS = 30_000;
/** While another worker holds a scene's write claim, check back this often. */
const APPLY_POLL_MS = 500;
/** A written scene's marker outlives any retry of its step. */
const APPLIED_TTL_S = 7 * 24 * 3600;
const RELEASE_IF_MINE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export function createSceneStepRunner(deps: SceneStepDeps): SceneStepRunner {
  const { redis, logger } = deps;
  const reloadIntervalMs = deps.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  let lastReloadMs = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | undefined;

  const isLive = async (keys: BatchKeys, round: string) => (await redis.get(keys.round)) === round;

  const ensureVersion = async (wanted: string): Promise<boolean> => {
    if (deps.faces().info().version === wanted) return true;
    if (!reloading && performance.now() - lastReloadMs >= reloadIntervalMs) {
      lastReloadMs = performance.now();
      reloading = deps.reloadFaces().finally(() => (reloading = undefined));
    }
    await reloading;
    return deps.faces().info().version === wanted;
  };

  const report = async (keys: BatchKeys, result: SceneStepResult) => {
    await redis.xadd(keys.results, '*', 'step', JSON.stringify(result));
  };

  const plan = async (keys: BatchKeys, data: SceneStepData, signal: AbortSignal): Promise<SceneStepResult> => {
    const stored = await redis.hget(keys.plans, data.sceneId);
    if (stored) return JSON.parse(stored) as SceneStepResult;
    const planned = await identifyAndDecide(data, signal);
    // First one wins: two runs of one step (a worker thought dead) then write the same performers.
    await redis.hsetnx(keys.plans, data.sceneId, JSON.stringify(planned));
    return JSON.parse((await redis.hget(keys.plans, data.sceneId)) ?? JSON.stringify(planned)) as SceneStepResult;
  };

  const identifyAndDecide = async (data: SceneStepData, signal: AbortSignal): Promise<SceneStepResult> => {
    const { sceneId, input } = data;
    const failed = (error: string): SceneStepResult => ({
      sceneId,
      worker: deps.worker,
      item: { sceneId, outcome: 'FAILED', added: [], recommendations: [], error },
      add: [],
      suggestions: [],
      scene: null,
      identification: null,
    });
    try {
      const scene = await getScene(deps.stash(), sceneId, { signal });
      if (!scene) return failed(`Scene ${sceneId} no longer exists in Stash`);
      const identification = await deps.scenes.identifyScene(sceneId, { sources: input.sources, frameCount: input.frameCount }, signal);
      const decision = decideSceneTagBack(identification.persons, identification.facesDetected, scene.performers.map((p) => p.id), input, input.dryRun);
      return {
        sceneId,
        worker: deps.worker,
        item: { sceneId, outcome: decision.outcome, added: decision.add, recommendations: [], error: null },
        add: decision.add,
        suggestions: input.dryRun ? [] : decision.suggestions,
        scene: { id: scene.id, title: scene.title ?? null },
        identification,
      };
    } catch (error: unknown) {
      if (isTransient(error, signal)) throw error;
      return failed((error as Error).message);
    }
  };

  /** Writes the scene's performers unless some run of this step already did; one writer at a time per scene. */
  const applyOnce = async (keys: BatchKeys, data: SceneStepData, add: string[], signal: AbortSignal): Promise<void> => {
    const key = keys.apply(data.sceneId);
    const claim = `writing:${randomUUID()}`;
    for (;;) {
      signal.throwIfAborted();
      if ((await redis.set(key, claim, 'PX', deps.applyLockMs, 'NX')) === 'OK') {
        try {
          // Reads the scene first and adds only what is missing, so a rerun after a write changes nothing.
          const result = await deps.tagBack.applyPerformers('scene', { targetId: data.sceneId, performerIds: add, addSuggestedTag: data.input.addSuggestedTag }, signal);
          await redis.set(key, 'done', 'EX', APPLIED_TTL_S);
          logger.info('scene written', { batchId: data.batchId, sceneId: data.sceneId, added: result.added.length, changed: result.changed });
          return;
        } catch (error: unknown) {
          await redis.eval(RELEASE_IF_MINE, 1, key, claim);
          throw error;
        }
      }
      if ((await redis.get(key)) === 'done') return;
      await new Promise((resolve) => setTimeout(resolve, APPLY_POLL_MS));
    }
  };

  return {
    async run(data, signal) {
      const keys = batchKeys(data.batchId);
      if (!(await isLive(keys, data.round))) return { kind: 'stale' };
      if (!(await ensureVersion(data.databaseVersion))) return { kind: 'refused', version: deps.faces().info().version };
      const started = performance.now();
      logger.info('scene step started', { batchId: data.batchId, sceneId: data.sceneId, worker: deps.worker });
      let result = await plan(keys, data, signal);
      if (result.add.length > 0 && !data.input.dryRun) {
        // A cancel between identifying and writing stops here, as the embedded runner stops between steps.
        if (!(await isLive(keys, data.round))) return { kind: 'stale' };
        try {
          await applyOnce(keys, data, result.add, signal);
        } catch (error: unknown) {
          if (isTransient(error, signal)) throw error;
          result = { ...result, item: { ...result.item, outcome: 'FAILED', error: (error as Error).message }, add: [], suggestions: [] };
        }
      }
      await report(keys, result);
      logger.info('scene step done', { batchId: data.batchId, sceneId: data.sceneId, outcome: result.item.outcome, worker: deps.worker, ms: Math.round(performance.now() - started) });
      return { kind: 'reported', result };
    },
    async reportFailed(data, message) {
      const { sceneId } = data;
      await report(batchKeys(data.batchId), {
        sceneId,
        worker: deps.worker,
        item: { sceneId, outcome: 'FAILED', added: [], recommendations: [], error: message },
        add: [],
        suggestions: [],
        scene: null,
        identification: null,
      });
    },
  };
}

/** Worth another attempt (elsewhere, later): Stash down or refusing the key, a cancel, or a bug. */
function isTransient(error: unknown, signal: AbortSignal): boolean {
  return !isSenseError(error) || error.code === 'CANCELLED' || error.code === 'STASH_UNAVAILABLE' || error.code === 'STASH_AUTH' || signal.aborted;
}
