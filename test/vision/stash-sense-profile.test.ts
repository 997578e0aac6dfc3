import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createVisionPipeline, type RgbImage, type VisionPipeline } from '../../src/vision/index.js';
import type { ProfileModels } from '../../src/vision/models.js';
import { createSessionFactory } from '../../src/vision/onnx-sessions.js';
import { resizeOpenCv } from '../../src/vision/opencv-resize.js';
import { warpAffineOpenCv } from '../../src/vision/opencv-warp.js';
import { openStashSenseProfile } from '../../src/vision/stash-sense-profile.js';
import { mirrorImage } from '../../src/vision/warp.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { lcgImage } from './helpers/images.js';
import { probeEmbedderModel, probeValues, scrfdModel, spreadPicks, type ScrfdAnchor } from './helpers/stash-sense-models.js';

const facenetPicks = spreadPicks(160);
const arcfacePicks = spreadPicks(112);

// Letterboxed into 640 from 1280×720, so frame coordinates are twice the detector's.
const anchors: ScrfdAnchor[] = [
  // Centre (80, 40) at stride 8: box 64..112 × 16..80 in the input.
  { stride: 8, column: 10, row: 5, anchor: 1, score: 0.9, distances: [2, 3, 4, 5], keypoints: [0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1] },
  // Nearly the same box, less sure: NMS drops it.
  { stride: 8, column: 10, row: 5, anchor: 0, score: 0.8, distances: [2, 3, 4, 5.1], keypoints: [0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1] },
  // Centre (480, 320) at stride 32.
  { stride: 32, column: 15, row: 10, anchor: 0, score: 0.95, distances: [1, 1, 1, 1], keypoints: [-0.5, -0.5, 0.5, -0.5, 0, 0, -0.4, 0.5, 0.4, 0.5] },
  // Exactly at the threshold: kept. Centre (80, 480) at stride 16.
  { stride: 16, column: 5, row: 30, anchor: 0, score: 0.5, distances: [1, 1, 1, 1], keypoints: [-0.5, -0.5, 0.5, -0.5, 0, 0, -0.4, 0.5, 0.4, 0.5] },
  // Below the threshold: dropped.
  { stride: 16, column: 20, row: 10, anchor: 1, score: 0.49, distances: [1, 1, 1, 1], keypoints: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
];

let temp: ReturnType<typeof makeTempDir>;
let models: ProfileModels;
const paths: Record<string, string> = {};

beforeAll(async () => {
  temp = makeTempDir('stash-sense-profile-');
  const files = {
    detector: ['det_500m.onnx', scrfdModel(anchors)],
    facenet: ['facenet512.onnx', probeEmbedderModel(160, facenetPicks)],
    arcface: ['arcface.onnx', probeEmbedderModel(112, arcfacePicks)],
  } as const;
  for (const [role, [name, bytes]] of Object.entries(files)) {
    paths[role] = join(temp.path, name);
    writeFileSync(paths[role]!, bytes);
  }
  models = await openStashSenseProfile({
    paths,
    sessions: createSessionFactory('cpu', { intraOpNumThreads: 1, allowSpinning: false, cudaDeviceId: 0 }, silentLogger),
    detectionThreshold: 0.5,
    embedBatchSize: 2,
    detectBatchSize: 1,
    landmarkBatchSize: 1,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await models?.close();
  temp?.remove();
});

const embedder = (name: string) => models.embedders.find((candidate) => candidate.name === name)!;
const facenetValues = (crop: RgbImage) => {
  const { data } = resizeOpenCv(crop, 160, 160, 'area');
  return facenetPicks.map((pick) => (data[pick]! - 127.5) / 127.5);
};
const arcfaceValues = (crop: RgbImage) => arcfacePicks.map((pick) => (crop.data[pick]! - 127.5) / 128);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - expected[i]!)));
  expect(worst).toBeLessThan(1e-5);
}

describe('stash-sense profile: embedder inputs', () => {
  const crop = lcgImage(112, 112, 1);

  it('names its embedders facenet and arcface, 512-d each', () => {
    expect(models.embedders.map(({ name, dims }) => [name, dims])).toEqual([
      ['facenet', 512],
      ['arcface', 512],
    ]);
    expect(models.landmarks).toBeUndefined();
    // Aligned crops are cut the way insightface's norm_crop cuts them (test/vision/opencv-warp.test.ts).
    expect(models.warp).toBe(warpAffineOpenCv);
  });

  it('feeds FaceNet512 NHWC 160×160 RGB, INTER_AREA-enlarged from the 112 crop, as (x − 127.5) / 127.5', async () => {
    const [vector] = await embedder('facenet').embed([crop], { flip: false });
    expectClose(probeValues(vector!), facenetValues(crop));
    // The enlargement is OpenCV's: the same bytes cv2.resize(INTER_AREA) gives (test/vision/opencv-resize.test.ts, seed 1).
    expect(createHash('sha256').update(resizeOpenCv(crop, 160, 160, 'area').data).digest('hex')).toBe(
      'e90d0fddec0bb89d1df4af08b4264284dcf352527dbf18c44bcd694b4186337a',
    );
  });

  it('feeds ArcFace NHWC 112×112 RGB as it is, as (x − 127.5) / 128', async () => {
    const [vector] = await embedder('arcface').embed([crop], { flip: false });
    expectClose(probeValues(vector!), arcfaceValues(crop));
    // Not NCHW, not BGR: those orders put other values at the picked positions.
    const bgr = lcgImage(112, 112, 1);
    for (let i = 0; i < bgr.data.length; i += 3) [bgr.data[i], bgr.data[i + 2]] = [bgr.data[i + 2]!, bgr.data[i]!];
    const bgrValues = arcfaceValues(bgr);
    expect(Math.max(...probeValues(vector!).map((value, i) => Math.abs(value - bgrValues[i]!)))).toBeGreaterThan(0.1);
  });

  it('adds the mirror image, flipped before the resize, and averages the raw outputs', async () => {
    const [facenet] = await embedder('facenet').embed([crop], { flip: true });
    const mirrored = mirrorImage(crop);
    const original = facenetValues(crop);
    const flipped = facenetValues(mirrored);
    expectClose(probeValues(facenet!, 2), original.map((value, i) => value + flipped[i]!));
    // Flipping after the resize would give other values (OpenCV's area weights are not symmetric).
    const mirroredAfter = mirrorImage(resizeOpenCv(crop, 160, 160, 'area'));
    const afterValues = facenetPicks.map((pick, i) => original[i]! + (mirroredAfter.data[pick]! - 127.5) / 127.5);
    expect(Math.max(...probeValues(facenet!, 2).map((value, i) => Math.abs(value - afterValues[i]!)))).toBeGreaterThan(1e-3);

    const [arcface] = await embedder('arcface').embed([crop], { flip: true });
    const arcOriginal = arcfaceValues(crop);
    const arcFlipped = arcfaceValues(mirrored);
    expectClose(probeValues(arcface!, 2), arcOriginal.map((value, i) => value + arcFlipped[i]!));
  });

  it('embeds several faces in batches and keeps each face its own vector, unit length', async () => {
    const crops = [lcgImage(112, 112, 2), lcgImage(112, 112, 3), lcgImage(112, 112, 4)];
    const vectors = await embedder('arcface').embed(crops, { flip: false });
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, i) => {
      expect(vector).toHaveLength(512);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      expectClose(probeValues(vector), arcfaceValues(crops[i]!));
    });
  });
});

describe('stash-sense profile: SCRFD detector', () => {
  const frame: RgbImage = { data: new Uint8Array(1280 * 720 * 3), width: 1280, height: 720 };

  it('decodes anchors, strides and distances into frame pixels, thresholds at 0.5 and merges overlaps, best first', async () => {
    const faces = await models.detector.detect(frame);
    expect(faces.map((face) => Math.fround(face.score))).toEqual([0.95, 0.9, 0.5].map(Math.fround));
    const [c, a, d] = faces;
    expect(c!.box).toEqual({ x: 896, y: 576, width: 128, height: 128 });
    expect(a!.box).toEqual({ x: 128, y: 32, width: 96, height: 128 });
    expect(d!.box).toEqual({ x: 128, y: 928, width: 64, height: 64 });
    expect(a!.landmarks).toEqual([
      [160, 80],
      [176, 80],
      [168, 88],
      [160, 96],
      [176, 96],
    ]);
    expect(c!.landmarks![0]).toEqual([(480 - 16) * 2, (320 - 16) * 2]);
  });

  it('looks at a region as at a frame of its own, reporting frame pixels', async () => {
    const detector = models.detector as typeof models.detector & { detectRegion(image: RgbImage, region: { x: number; y: number; width: number; height: number }): Promise<{ box: unknown }[]> };
    const faces = await detector.detectRegion(frame, { x: 640, y: 360, width: 640, height: 360 });
    // 640 wide already: scale 1, shifted by the region's corner.
    expect(faces[0]!.box).toEqual({ x: 640 + 448, y: 360 + 288, width: 64, height: 64 });
  });
});

describe('stash-sense profile through the vision pipeline', () => {
  let vision: VisionPipeline;
  beforeAll(async () => {
    const files = [
      ['det_500m.onnx', 'detector'],
      ['facenet512.onnx', 'facenet'],
      ['arcface.onnx', 'arcface'],
    ].map(([name, role]) => {
      const bytes = readFileSync(join(temp.path, name!));
      return { name, role, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), source: { kind: 'url', url: `http://127.0.0.1:9/${name}` } };
    });
    const manifestPath = join(temp.path, 'manifest.json');
    writeFileSync(manifestPath, JSON.stringify({ profiles: { 'stash-sense': { embeddingModels: ['facenet', 'arcface'], files } } }));
    vision = await createVisionPipeline(
      { modelsDir: temp.path, profile: 'stash-sense', executionProvider: 'cpu', maxImagePixels: 10_000_000, detectionThreshold: 0.5, flip: true },
      silentLogger,
      { manifestPath, intraOpNumThreads: 1 },
    );
  });
  afterAll(async () => {
    await vision?.close();
  });

  it('analyses an image into faces with box, score, 5 landmarks and one unit vector per model, as the embedded profile does', async () => {
    const jpeg = await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toBuffer();
    expect(vision.profile).toBe('stash-sense');
    expect(vision.embeddingModels).toEqual([
      { name: 'facenet', dims: 512 },
      { name: 'arcface', dims: 512 },
    ]);
    const analysis = await vision.analyzeImage(jpeg);
    expect(analysis.faces).toHaveLength(3);
    for (const face of analysis.faces) {
      expect(Object.keys(face).sort()).toEqual(['box', 'embeddings', 'landmarks', 'score']);
      expect(face.landmarks).toHaveLength(5);
      expect(Object.keys(face.embeddings)).toEqual(['facenet', 'arcface']);
      for (const vector of Object.values(face.embeddings)) {
        expect(vector).toBeInstanceOf(Float32Array);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      }
    }
  });
});
