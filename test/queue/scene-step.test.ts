// One scene step against a real redis-server, with the worker's other parts passed in as plain stand-ins:
// the version check and reload, a stale round, and a step that runs again after its scene was written.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceDatabase } from '../../src/faces/index.js';
import type { SceneIdentifyService } from '../../src/identify/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { createSceneStepRunner, type SceneStepData, type SceneStepResult } from '../../src/queue/index.js';
import type { StashClient } from '../../src/stash/index.js';
import { toTagBackJobInput, type TagBackService } from '../../src/tagback/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const temp = makeTempDir();
let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis(temp.path);
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.close();
  temp.remove();
});

/** A face database that only knows its version, which `install` changes as a new copy on disk would. */
function facesAt(version: string) {
  let current = version;
  const database = { info: () => ({ version: current }) } as unknown as FaceDatabase;
  return { faces: () => database, install: (next: string) => (current = next) };
}

const unused = <T>(what: string): T =>
  new Proxy({}, { get: () => () => Promise.reject(new Error(`${what} must not be called`)) }) as T;

function runner(faces: () => FaceDatabase, reloadFaces: () => Promise<void>, tagBack: TagBackService = unused('tagBack'), reloadIntervalMs?: number) {
  return createSceneStepRunner({
    reloadIntervalMs,
    redis,
    stash: () => unused<StashClient>('stash'),
    scenes: unused<SceneIdentifyService>('scenes'),
    tagBack,
    faces,
    reloadFaces,
    worker: 'w-test',
    applyLockMs: 5000,
    logger: createRecordingLogger(),
  });
}

function step(batchId: string, databaseVersion: string): SceneStepData {
  return { batchId, round: 'r1', sceneId: '7', databaseVersion, input: toTagBackJobInput({ scope: 'SCENE_IDS', sceneIds: ['7'] }) };
}

/** The plan an earlier run of the step stored: add performer 21 to scene 7. */
const storedPlan: SceneStepResult = {
  sceneId: '7',
  worker: 'w-earlier',
  item: { sceneId: '7', outcome: 'APPLIED', added: ['21'], recommendations: [], error: null },
  add: ['21'],
  suggestions: [],
  scene: { id: '7', title: 'Seven' },
  identification: null,
};

async function resultsOf(batchId: string): Promise<SceneStepResult[]> {
  const entries = await redis.xrange(`stash-sense:tagback:${batchId}:results`, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as SceneStepResult);
}

describe('a scene step', () => {
  it('does nothing for a batch whose round moved on (cancelled, or queued again)', async () => {
    const { faces } = facesAt('v1');
    await redis.set('stash-sense:tagback:b-stale:round', 'cancelled');
    expect(await runner(faces, async () => {}).run(step('b-stale', 'v1'), new AbortController().signal)).toEqual({ kind: 'stale' });
    expect(await resultsOf('b-stale')).toEqual([]);
  });

  it('refuses a step for another face database, reloading at most once in a while, and takes it once a new copy is in place', async () => {
    const { faces, install } = facesAt('v1');
    let reloads = 0;
    let onDisk = 'v1';
    const reloadIntervalMs = 500;
    const steps = runner(
      faces,
      async () => {
        reloads += 1;
        install(onDisk);
      },
      undefined,
      reloadIntervalMs,
    );
    await redis.set('stash-sense:tagback:b-version:round', 'r1');
    await redis.hset('stash-sense:tagback:b-version:plans', '7', JSON.stringify({ ...storedPlan, add: [], item: { ...storedPlan.item, outcome: 'NO_MATCH', added: [] } }));

    expect(await steps.run(step('b-version', 'v2'), new AbortController().signal)).toEqual({ kind: 'refused', version: 'v1' });
    expect(await steps.run(step('b-version', 'v2'), new AbortController().signal)).toEqual({ kind: 'refused', version: 'v1' });
    expect(reloads).toBe(1);

    // The new copy arrives; after the interval the worker reopens its database and takes the step.
    onDisk = 'v2';
    await new Promise((resolve) => setTimeout(resolve, reloadIntervalMs));
    expect((await steps.run(step('b-version', 'v2'), new AbortController().signal)).kind).toBe('reported');
    expect(reloads).toBe(2);
    expect((await resultsOf('b-version')).map((result) => result.item.outcome)).toEqual(['NO_MATCH']);
  });

  it('run again after its scene was written, it reuses the stored plan and writes nothing', async () => {
    const { faces } = facesAt('v1');
    await redis.set('stash-sense:tagback:b-again:round', 'r1');
    await redis.hset('stash-sense:tagback:b-again:plans', '7', JSON.stringify(storedPlan));
    await redis.set('stash-sense:tagback:b-again:apply:7', 'done');
    const outcome = await runner(faces, async () => {}).run(step('b-again', 'v1'), new AbortController().signal);
    expect(outcome).toMatchObject({ kind: 'reported', result: { worker: 'w-earlier', add: ['21'] } });
    expect((await resultsOf('b-again')).map((result) => result.sceneId)).toEqual(['7']);
  });

  it('writes a planned scene once and marks it written, so the next run of the step does not write', async () => {
    const { faces } = facesAt('v1');
    const writes: string[][] = [];
    const tagBack: TagBackService = {
      async applyPerformers(_kind, input) {
        writes.push(input.performerIds);
        return { kind: 'scene', targetId: input.targetId, dryRun: false, added: input.performerIds, alreadyPresent: [], tagAdded: null, changed: true, performerIds: input.performerIds };
      },
    };
    await redis.set('stash-sense:tagback:b-once:round', 'r1');
    await redis.hset('stash-sense:tagback:b-once:plans', '7', JSON.stringify(storedPlan));
    const steps = runner(faces, async () => {}, tagBack);
    await steps.run(step('b-once', 'v1'), new AbortController().signal);
    await steps.run(step('b-once', 'v1'), new AbortController().signal);
    expect(writes).toEqual([['21']]);
    expect(await redis.get('stash-sense:tagback:b-once:apply:7')).toBe('done');
  });
});
