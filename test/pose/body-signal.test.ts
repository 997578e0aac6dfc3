import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { bodyCropFor, createBodySignal, openMoveNet, shoulderHipRatio, type BodySignal, type Keypoint } from '../../src/pose/index.js';
import { createVisionPipeline, pickPrimaryFace, type RgbImage, type VisionPipeline } from '../../src/vision/index.js';
import { facesDir, repoRoot } from '../helpers/fixtures.js';

// obama/03.jpg: standing, arms crossed, visible down to the knees. biden/02.jpg: a head-and-shoulders portrait.
const fullBody = join(facesDir, 'people/obama/03.jpg');

let vision: VisionPipeline;
let body: BodySignal;

beforeAll(async () => {
  vision = await createVisionPipeline(
    { modelsDir: join(repoRoot, 'models'), profile: 'embedded', executionProvider: 'cpu', maxImagePixels: 100_000_000, detectionThreshold: 0.65, flip: true },
    silentLogger,
  );
  body = createBodySignal(await openMoveNet());
});
afterAll(async () => {
  body?.close();
  await vision?.close();
});

async function primaryFace(image: RgbImage) {
  const face = pickPrimaryFace(await vision.detectFaces(image));
  expect(face).toBeDefined();
  return face!;
}

describe('the body signal (MoveNet on a crop below the face)', () => {
  it('gives a full-body photo a shoulder/hip ratio within the range MoveNet gives adults', async () => {
    const image = await vision.decodeImage(readFileSync(fullBody));
    const measured = await body.measure(image, (await primaryFace(image)).box);
    expect(measured.kind).toBe('measured');
    // MoveNet's hip keypoints sit wider than MediaPipe's: adults come out about 1.3–1.7 (feasibility study ~1.5).
    if (measured.kind === 'measured') expect(measured.shoulderHipRatio).toBeGreaterThan(1.2);
    if (measured.kind === 'measured') expect(measured.shoulderHipRatio).toBeLessThan(1.9);
  });

  it('gives a waist-cut portrait of the same person no signal', async () => {
    const full = await vision.decodeImage(readFileSync(fullBody));
    const face = await primaryFace(full);
    // Cut the same photo at the waist, about 2.3 face heights below the face: hips are out of the picture.
    const waistY = Math.round(face.box.y + face.box.height * 3.3);
    const bytes = await sharp(fullBody).extract({ left: 0, top: 0, width: full.width, height: waistY }).jpeg().toBuffer();
    const image = await vision.decodeImage(bytes);
    const measured = await body.measure(image, (await primaryFace(image)).box);
    expect(measured.kind).toBe('none');
  });

  it('gives a head-and-shoulders portrait no signal', async () => {
    const image = await vision.decodeImage(readFileSync(join(facesDir, 'people/biden/02.jpg')));
    expect(await body.measure(image, (await primaryFace(image)).box)).toEqual({ kind: 'none', reason: 'BODY_OUT_OF_FRAME' });
  });
});

describe('shoulderHipRatio', () => {
  const crop = { width: 400, height: 800, clippedBottom: false };
  const pose = (overrides: Record<number, Partial<Keypoint>> = {}): Keypoint[] =>
    Array.from({ length: 17 }, (_, k) => ({ x: 200, y: 100, score: 0.9, ...baseline[k], ...overrides[k] }));
  const baseline: Record<number, Partial<Keypoint>> = { 5: { x: 280, y: 200 }, 6: { x: 120, y: 200 }, 11: { x: 250, y: 480 }, 12: { x: 150, y: 480 } };

  it('divides shoulder width by hip width when all four keypoints are confident', () => {
    expect(shoulderHipRatio(pose(), crop)).toEqual({ kind: 'measured', shoulderHipRatio: 1.6 });
  });

  it('gives no signal when a hip is below 0.5 confidence (waist-cut portraits give garbage hips)', () => {
    expect(shoulderHipRatio(pose({ 11: { score: 0.49 } }), crop)).toEqual({ kind: 'none', reason: 'LOW_CONFIDENCE' });
    expect(shoulderHipRatio(pose({ 6: { score: 0.2 } }), crop)).toEqual({ kind: 'none', reason: 'LOW_CONFIDENCE' });
  });

  it('gives no signal when a hip lies at the crop edge', () => {
    expect(shoulderHipRatio(pose({ 12: { x: 3 } }), crop)).toEqual({ kind: 'none', reason: 'HIPS_AT_CROP_EDGE' });
    expect(shoulderHipRatio(pose({ 11: { y: 795 }, 12: { y: 795 } }), crop)).toEqual({ kind: 'none', reason: 'HIPS_AT_CROP_EDGE' });
  });

  it('gives no signal for hips seen edge-on', () => {
    expect(shoulderHipRatio(pose({ 11: { x: 201 }, 12: { x: 199 } }), crop)).toEqual({ kind: 'none', reason: 'DEGENERATE_POSE' });
  });
});

describe('bodyCropFor', () => {
  it('extends below and beside the face, clamped to the image', () => {
    const crop = bodyCropFor({ x: 450, y: 100, width: 100, height: 100 }, 1000, 2000);
    expect(crop).toEqual({ box: { x: 250, y: 50, width: 500, height: 800 }, clippedBottom: false });
    expect(bodyCropFor({ x: 10, y: 100, width: 100, height: 100 }, 1000, 700)).toEqual({ box: { x: 0, y: 50, width: 310, height: 650 }, clippedBottom: true });
  });

  it('gives no crop for a close-up whose picture ends above the hips', () => {
    expect(bodyCropFor({ x: 300, y: 100, width: 300, height: 300 }, 1000, 1000)).toBeUndefined();
  });
});
