import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { withHeadshotPadding } from '../../src/vision/detect-padding.js';
import type { FaceDetector } from '../../src/vision/models.js';
import { createVisionPipeline, pickPrimaryFace, type RgbImage, type VisionPipeline } from '../../src/vision/index.js';
import { facesDir, repoRoot } from '../helpers/fixtures.js';

let vision: VisionPipeline;
beforeAll(async () => {
  vision = await createVisionPipeline(
    { modelsDir: resolve(repoRoot, 'models'), profile: 'embedded', executionProvider: 'cpu', maxImagePixels: 100_000_000, detectionThreshold: 0.65, flip: true },
    silentLogger,
  );
});
afterAll(async () => {
  await vision?.close();
});

/** A Stash-style headshot: the photo cropped to the face box itself, so the face touches every edge. */
async function tightHeadshot(photo: string): Promise<RgbImage> {
  const bytes = readFileSync(join(facesDir, photo));
  const face = pickPrimaryFace(await vision.detectFaces(await vision.decodeImage(bytes)))!;
  const { x, y, width, height } = face.box;
  const png = await sharp(bytes).extract({ left: Math.round(x), top: Math.round(y), width: Math.round(width), height: Math.round(height) }).png().toBuffer();
  return vision.decodeImage(png);
}

const headshots = ['people/obama/01.jpg', 'people/biden/01.jpg', 'people/amy_adams/01.jpg', 'people/steve_carell/01.jpg', 'people/kit_harington/01.jpg'];

describe('detection on tight headshots', () => {
  it.each(headshots)('finds exactly one face, inside the image, in a tight crop of %s', async (photo) => {
    const image = await tightHeadshot(photo);
    const faces = await vision.detectFaces(image, { photo: true });
    expect(faces).toHaveLength(1);
    const { box } = faces[0]!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(image.width);
    expect(box.y + box.height).toBeLessThanOrEqual(image.height);
  });

  it('clips boxes to the image and drops a face seen only in the border', async () => {
    const image: RgbImage = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100 };
    // A detector that reports one face hanging over the top edge, and (on the padded copy) one in the border.
    const calls: number[] = [];
    const detector: FaceDetector = {
      async detect(input) {
        calls.push(input.width);
        if (input.width === 100) return [{ box: { x: 10, y: -20, width: 80, height: 90 }, score: 0.9 }];
        return [{ box: { x: 25 + 10, y: 25 - 110, width: 60, height: 60 }, score: 0.95 }];
      },
    };
    const faces = await withHeadshotPadding(detector).detect(image);
    expect(calls).toEqual([100, 150]);
    expect(faces).toEqual([{ box: { x: 10, y: 0, width: 80, height: 70 }, score: 0.9 }]);
  });
});
