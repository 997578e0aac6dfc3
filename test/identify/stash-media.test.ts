import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { facePhoto, type StashDouble, type StashDoubleOptions } from '../stash-double/index.js';

const temp = makeTempDir();
let sidecar: StashSidecar;
let app: App;
let double: StashDouble;
let server: StashSidecar['server'];

const photo = (path: string) => ({ file: facePhoto(path) });

/** John Lennon's held-back photo shrunk to 60 px wide and blown up again: still him, but only just. */
async function tinyLennon(): Promise<Buffer> {
  const source = facePhoto('people/john_lennon/02.jpg');
  const { width } = await sharp(source).metadata();
  return sharp(await sharp(source).resize(60).toBuffer()).resize(width).jpeg().toBuffer();
}

beforeAll(async () => {
  const stash: StashDoubleOptions = {
    performers: [
      { id: '1', name: 'Obama', aliases: ['obama'] },
      { id: '2', name: 'someone', aliases: ['Kit_Harington'] },
    ],
    tags: [{ id: '9', name: 'Existing' }],
    galleries: [{ id: '50', title: 'Mixed' }],
    images: [
      // Obama twice (counts), Kit once but close (counts), Lennon once, small and far (does not count).
      { id: '100', galleryIds: ['50'], file: { width: 1, height: 1 }, media: photo('people/obama/06-720p.jpg') },
      { id: '101', galleryIds: ['50'], file: { width: 1, height: 1 }, media: photo('people/obama/09-partial.jpg') },
      { id: '102', galleryIds: ['50'], file: { width: 1, height: 1 }, media: photo('people/kit_harington/03.jpg') },
      { id: '103', galleryIds: ['50'], file: { width: 1, height: 1 }, media: photo('groups/longoria-cooper.jpg') },
      { id: '104', galleryIds: ['50'], file: { width: 1, height: 1 }, media: Buffer.from('not an image') },
      { id: '105', galleryIds: ['50'], file: { width: 1, height: 1 }, media: await tinyLennon() },
    ],
    scenes: [{ id: '7', title: 'Tag me', performerIds: ['2'], tagIds: ['9'] }],
  };
  sidecar = await startStashSidecar(temp.path, { stash, env: { SUGGESTED_TAG: 'Found by Stash Sense' } });
  ({ app, double, server } = sidecar);
});
afterAll(async () => {
  await sidecar?.close();
  temp.remove();
});

describe('identifyStashImage and identifyGallery', () => {
  it('identifies a Stash image and links by alias', async () => {
    const { data, errors } = await server.graphql<{ identifyStashImage: { faces: { candidates: { name: string; link: { rule: string; stashPerformerId: string } }[] }[] } }>(
      `mutation { identifyStashImage(imageId: "102") { faces { candidates { name link { rule stashPerformerId } } } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data!.identifyStashImage.faces[0]!.candidates[0]).toEqual({ name: 'kit_harington', link: { rule: 'ALIAS', stashPerformerId: '2' } });
  });

  it('counts a performer seen in two images, or once very close, and reports unreadable images', async () => {
    const { data, errors } = await server.graphql<{
      identifyGallery: { imagesRead: number; performers: { imageCount: number; imageIds: string[]; candidate: { name: string; link: { rule: string } } }[]; errors: { imageId: string }[] };
    }>(`mutation { identifyGallery(galleryId: "50") { imagesRead performers { imageCount imageIds candidate { name link { rule } } } errors { imageId } } }`);
    expect(errors).toBeUndefined();
    const gallery = data!.identifyGallery;
    expect(gallery.imagesRead).toBe(6);
    expect(gallery.errors).toEqual([{ imageId: '104' }]);
    expect(gallery.performers.map((p) => [p.candidate.name, p.imageCount])).toEqual([
      ['obama', 2],
      ['kit_harington', 1],
    ]);
    expect(gallery.performers[0]!.candidate.link.rule).toBe('NAME');
    // Lennon was a candidate in one image, but not close enough to count on a single sighting.
    const lennon = await app.services.identify.identifyImage({ kind: 'bytes', bytes: await tinyLennon() });
    expect(lennon.faces[0]!.candidates[0]!.name).toBe('john_lennon');
  });

  it('unknown image or gallery → NOT_FOUND', async () => {
    const image = await server.graphql(`mutation { identifyStashImage(imageId: "999") { imageId } }`);
    const gallery = await server.graphql(`mutation { identifyGallery(galleryId: "999") { galleryId } }`);
    expect([image.errors?.[0]?.extensions?.code, gallery.errors?.[0]?.extensions?.code]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });
});

describe('tag-back with the suggested tag', () => {
  it('a dry run reports the tag without creating it; a real run creates it once and adds it with the performer', async () => {
    const dry = await server.graphql<{ applyScenePerformers: { added: string[]; tagAdded: string | null; changed: boolean } }>(
      `mutation { applyScenePerformers(sceneId: "7", performerIds: ["1"], options: { dryRun: true, addSuggestedTag: true }) { added tagAdded changed } }`,
    );
    expect(dry.data!.applyScenePerformers).toEqual({ added: ['1'], tagAdded: 'Found by Stash Sense', changed: false });
    expect(double.mutations).toEqual([]);

    const real = await server.graphql<{ applyScenePerformers: { added: string[]; tagAdded: string | null; performerIds: string[] } }>(
      `mutation { applyScenePerformers(sceneId: "7", performerIds: ["1"], options: { addSuggestedTag: true }) { added tagAdded performerIds } }`,
    );
    expect(real.data!.applyScenePerformers).toMatchObject({ added: ['1'], tagAdded: 'Found by Stash Sense' });
    expect(double.mutations.map((m) => m.field)).toEqual(['tagCreate', 'bulkSceneUpdate']);
    const scene = double.store.scenes.get('7')!;
    expect(scene.performerIds.sort()).toEqual(['1', '2']);
    expect(scene.tagIds).toHaveLength(2);
    expect(scene.tagIds).toContain('9');

    const again = await server.graphql<{ applyScenePerformers: { changed: boolean } }>(
      `mutation { applyScenePerformers(sceneId: "7", performerIds: ["1"], options: { addSuggestedTag: true }) { changed } }`,
    );
    expect(again.data!.applyScenePerformers.changed).toBe(false);
    expect(double.mutations).toHaveLength(2);
  });
});
