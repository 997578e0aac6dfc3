import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import {
  addPerformersToGalleries,
  addPerformersToImages,
  addPerformersToScenes,
  checkStash,
  createPerformer,
  createStashClient,
  ensureTag,
  findPerformersByName,
  findPerformersByStashId,
  getGallery,
  getImage,
  getPerformer,
  getScene,
  listGalleryImages,
  listPerformers,
  listScenes,
  mergePerformers,
  type StashClient,
} from '../../src/stash/index.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';

const stashdb = 'https://stashdb.org/graphql';

let double: StashDouble;
let stash: StashClient;

beforeEach(async () => {
  double = await createStashDouble({
    performers: [
      { id: '1', name: 'Ada Lovelace', aliases: ['Augusta King'], stashIds: [{ endpoint: stashdb, stashId: 'uuid-ada' }], image: Buffer.from('ada.jpg') },
      { id: '2', name: 'Grace Hopper', stashIds: [{ endpoint: 'https://fansdb.cc/graphql', stashId: 'uuid-ada' }] },
      { id: '3', name: 'Ada' },
      { id: '4', name: 'Ada_Lovelace' },
    ],
    tags: [{ id: '1', name: 'Existing', aliases: ['Old Name'] }],
    scenes: [
      { id: '1', title: 'Tagged', performerIds: ['2'], tagIds: ['1'], files: [{ duration: 12.5, width: 1920, height: 1080, md5: 'abc' }] },
      { id: '2', title: 'Bare one' },
      { id: '3', title: 'Bare two' },
      { id: '5', title: 'Bare three' },
    ],
    galleries: [{ id: '1', title: 'Holiday', path: '/data/holiday', performerIds: ['2'] }],
    images: [
      { id: '1', galleryIds: ['1'], file: { width: 800, height: 600 }, media: Buffer.from('img1') },
      { id: '2', galleryIds: ['1'], file: { width: 800, height: 600 } },
      { id: '3', galleryIds: [], performerIds: ['3'] },
    ],
  });
  stash = createStashClient({ url: double.url, apiKey: double.apiKey, retries: 0 }, silentLogger);
});

afterEach(async () => {
  await double.close();
});

describe('scenes', () => {
  it('reads a scene as a domain object whose URLs carry no key', async () => {
    const scene = await getScene(stash, '1');
    expect(scene).toMatchObject({
      id: '1',
      title: 'Tagged',
      performers: [{ id: '2', name: 'Grace Hopper', stashIds: [{ endpoint: 'https://fansdb.cc/graphql', stashId: 'uuid-ada' }] }],
      tags: [{ id: '1', name: 'Existing' }],
      files: [{ durationSeconds: 12.5, width: 1920, height: 1080, fingerprints: { md5: 'abc' } }],
    });
    expect(scene?.paths.stream).toBe(`${double.url}/scene/1/stream`);
    expect(scene?.paths.sprite).toMatch(new RegExp(`^${double.url}/scene/[0-9a-f]+_sprite\\.jpg$`));
    expect(JSON.stringify(scene)).not.toContain(String(double.apiKey));
  });

  it('answers undefined for a scene Stash does not have', async () => {
    expect(await getScene(stash, '404')).toBeUndefined();
  });

  it('lists scenes without performers page by page, even while they get performers', async () => {
    const seen: string[] = [];
    const totals: number[] = [];
    for await (const page of listScenes(stash, { withoutPerformers: true, perPage: 2 })) {
      totals.push(page.total);
      for (const scene of page.items) {
        seen.push(scene.id);
        await addPerformersToScenes(stash, [scene.id], ['3']);
      }
    }
    expect(seen).toEqual(['2', '3', '5']);
    expect(totals[0]).toBe(3);
  });

  it('adds performers and a tag with one bulkSceneUpdate in mode ADD, keeping what was there', async () => {
    const [updated] = await addPerformersToScenes(stash, ['1'], ['1', '3'], { tagIds: ['1'] });
    expect(updated).toEqual({ id: '1', performerIds: ['2', '1', '3'], tagIds: ['1'] });
    expect(double.mutations).toHaveLength(1);
    expect(double.mutations[0]).toMatchObject({
      field: 'bulkSceneUpdate',
      args: { input: { ids: ['1'], performer_ids: { ids: ['1', '3'], mode: 'ADD' }, tag_ids: { ids: ['1'], mode: 'ADD' } } },
    });
    const again = await addPerformersToScenes(stash, ['1'], ['1']);
    expect(again[0]?.performerIds).toEqual(['2', '1', '3']);
  });
});

describe('images and galleries', () => {
  it('reads an image and a gallery', async () => {
    expect(await getImage(stash, '1')).toMatchObject({ id: '1', galleryIds: ['1'], file: { kind: 'image', width: 800, height: 600 } });
    expect((await getImage(stash, '1'))?.paths.image).toMatch(new RegExp(`^${double.url}/image/1/image`));
    expect(await getGallery(stash, '1')).toMatchObject({ id: '1', title: 'Holiday', imageCount: 2, path: '/data/holiday', performers: [{ id: '2' }] });
    expect(await getGallery(stash, '9')).toBeUndefined();
  });

  it("lists a gallery's images and nothing else", async () => {
    const ids: string[] = [];
    for await (const page of listGalleryImages(stash, '1', { perPage: 1 })) ids.push(...page.items.map((i) => i.id));
    expect(ids).toEqual(['1', '2']);
  });

  it('adds performers to images and galleries in mode ADD', async () => {
    expect(await addPerformersToImages(stash, ['3'], ['1'])).toEqual([{ id: '3', performerIds: ['3', '1'], tagIds: [] }]);
    expect(await addPerformersToGalleries(stash, ['1'], ['1'])).toEqual([{ id: '1', performerIds: ['2', '1'], tagIds: [] }]);
    expect(double.mutations.map((m) => m.field)).toEqual(['bulkImageUpdate', 'bulkGalleryUpdate']);
  });
});

describe('performers', () => {
  it('finds performers by stash-box id on the right endpoint only', async () => {
    const found = await findPerformersByStashId(stash, { endpoint: stashdb, stashId: 'uuid-ada' });
    expect(found.map((p) => p.id)).toEqual(['1']);
    expect(found[0]?.imageUrl).toMatch(new RegExp(`^${double.url}/performer/1/image`));
  });

  it('finds performers by exact name or alias, ignoring case, and nothing looser', async () => {
    expect((await findPerformersByName(stash, 'ada lovelace')).map((p) => p.id)).toEqual(['1']);
    expect((await findPerformersByName(stash, 'AUGUSTA KING')).map((p) => p.id)).toEqual(['1']);
    expect((await findPerformersByName(stash, 'Ada')).map((p) => p.id)).toEqual(['3']);
    expect(await findPerformersByName(stash, 'Lovelace')).toEqual([]);
  });

  it('lists every performer page by page, with no image URL for a placeholder picture', async () => {
    const pages: string[][] = [];
    for await (const page of listPerformers(stash, { perPage: 3 })) pages.push(page.items.map((p) => `${p.id}:${p.imageUrl ? 'image' : 'none'}`));
    expect(pages).toEqual([['1:image', '2:none', '3:none'], ['4:none']]);
  });

  it('creates a performer with stash-box ids and merges performers', async () => {
    const created = await createPerformer(stash, { name: 'New Person', aliases: ['N. P.'], stashIds: [{ endpoint: stashdb, stashId: 'uuid-new' }] });
    expect(created).toMatchObject({ name: 'New Person', aliases: ['N. P.'], stashIds: [{ endpoint: stashdb, stashId: 'uuid-new' }] });
    await addPerformersToScenes(stash, ['2'], [created.id]);
    const merged = await mergePerformers(stash, { sourceIds: [created.id], destinationId: '1' });
    expect(merged.stashIds).toEqual([
      { endpoint: stashdb, stashId: 'uuid-ada' },
      { endpoint: stashdb, stashId: 'uuid-new' },
    ]);
    expect(await getPerformer(stash, created.id)).toBeUndefined();
    expect((await getScene(stash, '2'))?.performers.map((p) => p.id)).toEqual(['1']);
  });
});

describe('tags', () => {
  it('creates the suggested tag once, then finds it by name or alias', async () => {
    const first = await ensureTag(stash, 'Stash Sense: suggested');
    expect(first.created).toBe(true);
    const second = await ensureTag(stash, 'stash sense: SUGGESTED');
    expect(second).toEqual({ tag: first.tag, created: false });
    expect(await ensureTag(stash, 'old name')).toMatchObject({ tag: { id: '1', name: 'Existing' }, created: false });
    expect(double.mutations.map((m) => m.field)).toEqual(['tagCreate']);
  });
});

describe('health', () => {
  it('reports a reachable Stash with its version, and an unreachable one without throwing', async () => {
    expect(await checkStash(stash)).toEqual({ configured: true, url: double.url, reachable: true, version: 'v0.30.1', error: null });
    double.setMode('down');
    const down = await checkStash(stash);
    expect(down).toMatchObject({ reachable: false, version: null });
    expect(down.error).toMatch(/503/);
  });
});
