import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { createRecordingLogger } from '../../src/logger.js';
import { createRecommendationService, type RecommendationService, type RecommendationView } from '../../src/recommendations/index.js';
import { openStateDatabase, type StateDatabase } from '../../src/state/index.js';
import { createStashClient } from '../../src/stash/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { candidate, libraryFixtures, person, saveFixtureIdentifications, stashdb } from './fixtures.js';

let dir: { path: string; remove(): void };
let double: StashDouble;
let state: StateDatabase;
let service: RecommendationService;
let logger: ReturnType<typeof createRecordingLogger>;

beforeEach(async () => {
  dir = makeTempDir('recs-');
  double = await createStashDouble(libraryFixtures());
  logger = createRecordingLogger();
  state = await openStateDatabase(dir.path, logger);
  const stash = createStashClient({ url: double.url, apiKey: double.apiKey, retries: 0 }, logger);
  service = createRecommendationService({ state, stash: () => stash, logger });
  saveFixtureIdentifications(state);
});

afterEach(async () => {
  await state.close();
  await double.close();
  dir.remove();
});

const pending = (type?: RecommendationView['type']) => service.list({ type }, 200).edges.map((e) => e.node);
const pairs = () =>
  pending('duplicate_scene')
    .map((r) => (r.type === 'duplicate_scene' ? r.details.sceneIds.join('+') : ''))
    .sort();
const only = <T extends RecommendationView['type']>(type: T) => {
  const list = pending(type);
  expect(list).toHaveLength(1);
  return list[0] as Extract<RecommendationView, { type: T }>;
};

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error: unknown) {
    if (isSenseError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('library analysis', () => {
  it('finds the planted duplicates and nothing else', async () => {
    const result = await service.analyzeLibrary();
    expect(result).toMatchObject({ created: 5, updated: 0, suppressed: 0, expired: 0, byType: { duplicate_performer: 1, scene_files: 1, duplicate_scene: 3 } });

    const performers = only('duplicate_performer');
    expect(performers.details.performers.map((p) => p.id)).toEqual(['1', '2']);
    expect(performers.details).toMatchObject({ keepPerformerId: '1', stashId: { endpoint: stashdb, stashId: 'aaa' } });

    const files = only('scene_files');
    expect(files.details.sceneId).toBe('10');
    const sceneFiles = double.store.scenes.get('10')!.files;
    expect(files.details).toMatchObject({ keepFileId: sceneFiles[1]!.id, primaryFileId: sceneFiles[0]!.id });

    expect(pairs()).toEqual(['20+21', '30+31', '50+51']);
    const byPair = new Map(pending('duplicate_scene').map((r) => [r.targets.map((t) => t.id).join('+'), r]));
    expect(byPair.get('20+21')!.confidence).toBe(1);
    expect(byPair.get('30+31')!.confidence).toBeGreaterThan(0.85);
    expect(byPair.get('30+31')!.confidence).toBeLessThan(1);
    expect(byPair.get('50+51')!.confidence).toBeLessThan(byPair.get('30+31')!.confidence);
    expect(byPair.get('20+21')!.details).toMatchObject({ keepSceneId: '21' });

    const compared = logger.lines.find((line) => line.message === 'duplicate scenes compared')!;
    expect(compared.fields.comparisons).toBeLessThan(compared.fields.allPairs as number);
  });

  it('leaves an unchanged library unchanged on a rerun', async () => {
    await service.analyzeLibrary();
    const again = await service.analyzeLibrary();
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, reopened: 0, expired: 0 });
  });

  it('does not bring back a dismissed recommendation until its evidence changes', async () => {
    await service.analyzeLibrary();
    const files = only('scene_files');
    service.dismiss(files.id, false);

    const rerun = await service.analyzeLibrary(['scene_files']);
    expect(rerun).toMatchObject({ suppressed: 1, created: 0, reopened: 0 });
    expect(pending('scene_files')).toEqual([]);
    expect(service.get(files.id)?.status).toBe('dismissed');

    // A third file is new evidence: the recommendation is pending again (same id).
    const scene = double.store.scenes.get('10')!;
    scene.files.push({ ...scene.files[1]!, id: '9001', path: '/data/scenes/scene-10-copy.mp4', width: 3840, height: 2160 });
    const changed = await service.analyzeLibrary(['scene_files']);
    expect(changed.reopened).toBe(1);
    const back = only('scene_files');
    expect(back.id).toBe(files.id);
    expect(back.details.keepFileId).toBe('9001');
  });

  it('never brings back a permanently dismissed recommendation, even with new evidence', async () => {
    await service.analyzeLibrary(['duplicate_performer']);
    const group = only('duplicate_performer');
    service.dismiss(group.id, true);
    double.addPerformer({ id: '6', name: 'Alice S.', stashIds: [{ endpoint: stashdb, stashId: 'aaa' }] });

    const rerun = await service.analyzeLibrary(['duplicate_performer']);
    expect(rerun).toMatchObject({ suppressed: 1, reopened: 0, created: 0 });
    expect(pending('duplicate_performer')).toEqual([]);
    expect(service.get(group.id)).toMatchObject({ status: 'dismissed', permanent: true });
  });

  it('removes a pending recommendation whose duplicate is gone, and keeps dismissed ones as memory', async () => {
    await service.analyzeLibrary(['duplicate_scene']);
    const dismissed = pending('duplicate_scene').find((r) => r.targets[0]!.id === '30')!;
    service.dismiss(dismissed.id, false);
    double.store.scenes.get('51')!.performerIds = ['4'];

    const rerun = await service.analyzeLibrary(['duplicate_scene']);
    expect(rerun.expired).toBe(1);
    expect(pairs()).toEqual(['20+21']);
    expect(service.get(dismissed.id)?.status).toBe('dismissed');
  });

  it('refuses to run scene performer suggestions as a library analysis', async () => {
    expect(await rejection(service.analyzeLibrary(['scene_performer']))).toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('accepting', () => {
  it('merges duplicate performers with performerMerge, keeping the chosen one and their names', async () => {
    await service.analyzeLibrary(['duplicate_performer']);
    const group = only('duplicate_performer');
    const accepted = await service.accept(group.id);

    expect(accepted.status).toBe('accepted');
    const merges = double.mutations.filter((m) => m.field === 'performerMerge');
    expect(merges).toHaveLength(1);
    expect(merges[0]!.args).toEqual({ input: { source: ['2'], destination: '1', values: { id: '1', alias_list: ['Alice Smith'] } } });
    expect(double.store.performers.has('2')).toBe(false);
    expect(double.store.scenes.get('11')!.performerIds).toEqual(['1']);
    expect(accepted.resolution).toMatchObject({ action: 'merged_performers', keptPerformerId: '1', mergedPerformerIds: ['2'] });

    expect(await rejection(service.accept(group.id))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already accepted/) });
    expect(double.mutations.filter((m) => m.field === 'performerMerge')).toHaveLength(1);
  });

  it('merges into the performer the user chooses, and refuses a choice outside the group', async () => {
    await service.analyzeLibrary(['duplicate_performer']);
    const group = only('duplicate_performer');
    expect(await rejection(service.accept(group.id, '3'))).toMatchObject({ code: 'BAD_INPUT' });
    await service.accept(group.id, '2');
    expect(double.mutations.find((m) => m.field === 'performerMerge')!.args).toMatchObject({ input: { source: ['1'], destination: '2' } });
  });

  it('refuses a stale recommendation and sends nothing', async () => {
    await service.analyzeLibrary(['duplicate_performer']);
    const group = only('duplicate_performer');
    double.store.performers.delete('2');

    expect(await rejection(service.accept(group.id))).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/out of date.*performer 2/) });
    expect(double.mutations).toEqual([]);
    expect(service.get(group.id)?.status).toBe('pending');
  });

  it('makes the kept file primary and deletes nothing', async () => {
    await service.analyzeLibrary(['scene_files']);
    const files = only('scene_files');
    const [primary, better] = double.store.scenes.get('10')!.files;
    await service.accept(files.id);

    expect(double.mutations.map((m) => [m.field, m.args])).toEqual([['sceneUpdate', { input: { id: '10', primary_file_id: better!.id } }]]);
    expect(double.store.scenes.get('10')!.files.map((f) => f.id)).toEqual([better!.id, primary!.id]);
  });

  it("merges duplicate scenes with Stash's sceneMerge, carrying the other scene's performers", async () => {
    await service.analyzeLibrary(['duplicate_scene']);
    const pair = pending('duplicate_scene').find((r) => r.targets[0]!.id === '20')!;
    // A suggestion about the scene that will be merged away is void afterwards.
    const suggestion = service.recordScenePerformer({ scene: { id: '20', title: null }, suggestion: { person: person(0, candidate('p9', 0.6, '5')), candidate: candidate('p9', 0.6, '5') }, databaseVersion: 'v1' });
    const fileOf20 = double.store.scenes.get('20')!.files[0]!.id;

    await service.accept(pair.id);
    const merge = double.mutations.find((m) => m.field === 'sceneMerge')!;
    expect(merge.args).toMatchObject({
      input: { source: ['20'], destination: '21', values: { id: '21', performer_ids: ['3'], stash_ids: [{ endpoint: stashdb, stash_id: 'scene-1' }] }, play_history: true },
    });
    expect(double.store.scenes.has('20')).toBe(false);
    expect(double.store.scenes.get('21')!.files.map((f) => f.id)).toContain(fileOf20);
    expect(service.get(suggestion!)).toBeUndefined();
  });

  it('adds a suggested performer with an ADD-only bulk update', async () => {
    const best = candidate('p3', 0.62, '3');
    const id = service.recordScenePerformer({ scene: { id: '11', title: 'Single file' }, suggestion: { person: person(0, best), candidate: best }, databaseVersion: 'v1' })!;
    await service.accept(id);

    expect(double.mutations.map((m) => [m.field, m.args])).toEqual([
      ['bulkSceneUpdate', { input: { ids: ['11'], performer_ids: { ids: ['3'], mode: 'ADD' }, tag_ids: { ids: [], mode: 'ADD' } } }],
    ]);
    expect(double.store.scenes.get('11')!.performerIds).toEqual(['2', '3']);
  });

  it('explains that a performer not in the library must be created in Stash first', async () => {
    const unlinked = candidate('p8', 0.6, null);
    const id = service.recordScenePerformer({ scene: { id: '11', title: null }, suggestion: { person: person(0, unlinked), candidate: unlinked }, databaseVersion: 'v1' })!;
    const refused = await rejection(service.accept(id));
    expect(refused).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/not in your Stash library.*create the performer in Stash/) });
    expect(double.mutations).toEqual([]);
    expect(await rejection(service.accept('999'))).toMatchObject({ code: 'NOT_FOUND' });

    // The user may name the Stash performer to add instead; one that does not exist is refused.
    expect(await rejection(service.accept(id, '77'))).toMatchObject({ code: 'BAD_INPUT', message: 'Stash has no performer 77' });
    await service.accept(id, '5');
    expect(double.mutations.map((m) => m.field)).toEqual(['bulkSceneUpdate']);
    expect(double.store.scenes.get('11')!.performerIds).toEqual(['2', '5']);
  });
});

describe('scene performer suggestions', () => {
  const record = (confidence: number, databaseVersion: string) => {
    const best = candidate('p3', confidence, '3');
    return service.recordScenePerformer({ scene: { id: '11', title: null }, suggestion: { person: person(0, best), candidate: best }, databaseVersion });
  };

  it('stay dismissed on a rerun with the same database unless the confidence moves materially', () => {
    const id = record(0.62, 'v1')!;
    expect(record(0.7, 'v1')).toBe(id);
    service.dismiss(id, false);
    // 0.75 is 0.13 from the 0.62 the suggestion was first made with: not material.
    expect(record(0.75, 'v1')).toBeUndefined();
    expect(service.get(id)?.status).toBe('dismissed');
    expect(record(0.8, 'v1')).toBe(id);
    expect(service.get(id)?.status).toBe('pending');
  });

  it('come back with another face database, but never after a permanent dismissal', () => {
    const id = record(0.62, 'v1')!;
    service.dismiss(id, false);
    expect(record(0.62, 'v1')).toBeUndefined();
    expect(record(0.62, 'v2')).toBe(id);
    service.dismiss(id, true);
    expect(record(0.95, 'v3')).toBeUndefined();
    expect(service.get(id)).toMatchObject({ status: 'dismissed', permanent: true });
  });

  it('are replaced as a whole when a scene is identified again', () => {
    const a = candidate('p3', 0.6, '3');
    const b = candidate('p4', 0.6, '4');
    const first = service.recordScenePerformers({ scene: { id: '11', title: null }, suggestions: [a, b].map((c) => ({ person: person(0, c), candidate: c })), databaseVersion: 'v1' });
    expect(first).toHaveLength(2);
    const second = service.recordScenePerformers({ scene: { id: '11', title: null }, suggestions: [{ person: person(0, a), candidate: a }], databaseVersion: 'v2' });
    expect(second).toEqual([first[0]]);
    expect(pending('scene_performer').map((r) => r.id)).toEqual([first[0]]);
  });
});
