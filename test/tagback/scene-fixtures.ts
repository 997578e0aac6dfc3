import { join } from 'node:path';
import sharp from 'sharp';
import { buildSceneVideo, createMediaCache, facePhoto, type MediaCache, type PerformerFixture, type SceneFixture } from '../stash-double/index.js';

export const stashdb = 'https://stashdb.org/graphql';
export const obamaStashId = '0ba4a000-0000-4000-8000-000000000001';

/**
 * Five scenes for a batch: two clear enrolled people, one weak match (a face so small it is only a
 * plausible match), one with no face at all, and one already tagged with its performer.
 */
export async function buildBatchScenes(media: MediaCache, workDir: string): Promise<{ scenes: SceneFixture[]; performers: PerformerFixture[] }> {
  const tinyLennon = join(workDir, 'tiny-lennon.png');
  const meta = await sharp(facePhoto('people/john_lennon/02.jpg')).metadata();
  await sharp(await sharp(facePhoto('people/john_lennon/02.jpg')).resize(60).toBuffer()).resize(meta.width).png().toFile(tinyLennon);
  const landscape = join(workDir, 'landscape.png');
  await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .composite([{ input: Buffer.from('<svg width="1280" height="720"><rect y="420" width="1280" height="300" fill="#2a6"/><circle cx="1000" cy="150" r="70" fill="#fd3"/></svg>') }])
    .png()
    .toFile(landscape);
  const photos: [string, string][] = [
    ['1', facePhoto('people/obama/06-720p.jpg')],
    ['2', facePhoto('people/kit_harington/03.jpg')],
    ['3', tinyLennon],
    ['4', landscape],
    ['5', facePhoto('people/rose_leslie/02.jpg')],
  ];
  const scenes: SceneFixture[] = [];
  for (const [id, photo] of photos) {
    const video = await buildSceneVideo(media, { segments: [{ photo, seconds: 3 }] });
    scenes.push({
      id,
      title: `Scene ${id}`,
      files: [{ duration: video.durationSeconds, width: video.width, height: video.height, oshash: `scene${id}` }],
      performerIds: id === '5' ? ['24'] : [],
      media: { stream: { file: video.path } },
    });
  }
  const performers: PerformerFixture[] = [
    { id: '21', name: 'Barack Obama', stashIds: [{ endpoint: stashdb, stashId: obamaStashId }] },
    { id: '22', name: 'Kit_Harington' },
    { id: '23', name: 'John_Lennon' },
    { id: '24', name: 'Rose_Leslie' },
  ];
  return { scenes, performers };
}

export { createMediaCache };
