import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { createRecordingLogger, silentLogger } from '../../src/logger.js';
import {
  cosineDistance,
  createVisionPipeline,
  pickPrimaryFace,
  type EmbeddedFace,
  type ImageAnalysis,
  type VisionConfig,
  type VisionPipeline,
} from '../../src/vision/index.js';
import { facesDir, makeTempDir, readFaceManifest, repoRoot, type FacePhoto } from '../helpers/fixtures.js';

const config: VisionConfig = {
  modelsDir: join(repoRoot, 'models'),
  profile: 'embedded',
  executionProvider: 'cpu',
  maxImagePixels: 100_000_000,
  detectionThreshold: 0.65,
  flip: true,
};
const CONFIDENT = 0.95;
const photos = readFaceManifest();
const people = photos.filter((photo) => photo.file.startsWith('people/'));
const groups = photos.filter((photo) => photo.file.startsWith('groups/'));
const read = (file: string) => readFileSync(join(facesDir, file));
const embeddingOf = (face: EmbeddedFace | undefined) => face!.embeddings.embedded!;

let vision: VisionPipeline;
const analyses = new Map<string, ImageAnalysis>();

beforeAll(async () => {
  vision = await createVisionPipeline(config, silentLogger);
  for (const photo of photos) analyses.set(photo.file, await vision.analyzeImage(read(photo.file)));
});
afterAll(async () => {
  await vision?.close();
});

describe('vision pipeline (embedded profile, real models and photos)', () => {
  it('reports its profile, provider and embedding model', () => {
    expect(vision.profile).toBe('embedded');
    expect(vision.executionProvider).toBe('cpu');
    expect(vision.executionProviderReason).toMatch(/requested/);
    expect(vision.embeddingModels).toEqual([{ name: 'embedded', dims: 512 }]);
  });

  it.each(people.map((photo) => [photo.file, photo] as const))('finds exactly one confident face in %s, and picks it', (_file, photo: FacePhoto) => {
    const { faces } = analyses.get(photo.file)!;
    const confident = faces.filter((face) => face.score >= CONFIDENT);
    expect(confident).toHaveLength(1);
    expect(pickPrimaryFace(faces)).toBe(confident[0]);
    expect(confident[0]!.landmarks).toHaveLength(5);
  });

  it.each(groups.map((photo) => [photo.file, photo] as const))('finds at least the listed number of faces in %s', (_file, photo: FacePhoto) => {
    const confident = analyses.get(photo.file)!.faces.filter((face) => face.score >= CONFIDENT);
    expect(confident.length).toBeGreaterThanOrEqual(photo.faces);
  });

  it('puts the 5 landmarks inside the face box in face order (eyes above nose above mouth)', () => {
    for (const photo of people) {
      const face = pickPrimaryFace(analyses.get(photo.file)!.faces)!;
      const [leftEye, rightEye, nose, leftMouth, rightMouth] = face.landmarks;
      for (const [x, y] of face.landmarks) {
        expect(x).toBeGreaterThanOrEqual(face.box.x - 1);
        expect(x).toBeLessThanOrEqual(face.box.x + face.box.width + 1);
        expect(y).toBeGreaterThanOrEqual(face.box.y - 1);
        expect(y).toBeLessThanOrEqual(face.box.y + face.box.height + 1);
      }
      expect(leftEye![0]).toBeLessThan(rightEye![0]);
      expect(Math.max(leftEye![1], rightEye![1])).toBeLessThan(nose![1]);
      expect(nose![1]).toBeLessThan(Math.min(leftMouth![1], rightMouth![1]));
    }
  });

  it('gives unit-length 512-d embeddings', () => {
    for (const analysis of analyses.values()) {
      for (const face of analysis.faces) {
        const vector = face.embeddings.embedded!;
        expect(vector).toBeInstanceOf(Float32Array);
        expect(vector.length).toBe(512);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
      }
    }
  });

  it('embeds the same person closer than different people (and prints the distance distribution)', () => {
    const primaries = people.map((photo) => ({ identity: photo.identities[0]!, vector: embeddingOf(pickPrimaryFace(analyses.get(photo.file)!.faces)) }));
    const genuine: number[] = [];
    const impostor: number[] = [];
    for (let i = 0; i < primaries.length; i++) {
      for (let j = i + 1; j < primaries.length; j++) {
        const distance = cosineDistance(primaries[i]!.vector, primaries[j]!.vector);
        (primaries[i]!.identity === primaries[j]!.identity ? genuine : impostor).push(distance);
      }
    }
    console.log(`cosine distance, flip-averaged embeddings, ${people.length} photos\n  genuine  ${summarise(genuine)}\n  impostor ${summarise(impostor)}`);
    expect(mean(genuine)).toBeLessThan(mean(impostor));
    // On these photos the two distributions do not overlap at all; a regression in alignment breaks this first.
    expect(Math.max(...genuine)).toBeLessThan(Math.min(...impostor));
  });

  it('finds a 60 px face pasted into a 1920×1080 frame, and embeds it close to the original photo', async () => {
    const source = 'people/obama/02.jpg';
    const original = pickPrimaryFace(analyses.get(source)!.faces)!;
    const box = original.box;
    const scale = 60 / box.height;
    const face = await sharp(read(source))
      .extract({ left: Math.round(box.x), top: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) })
      .resize(Math.round(box.width * scale), 60)
      .toBuffer();
    const frame = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: 96, g: 104, b: 112 } } })
      .composite([{ input: face, left: 1237, top: 611 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const { faces } = await vision.analyzeImage(frame);
    expect(faces).toHaveLength(1);
    const found = faces[0]!;
    expect(found.box.x).toBeGreaterThan(1237 - 30);
    expect(found.box.y).toBeGreaterThan(611 - 30);
    expect(found.box.height).toBeGreaterThan(40);
    expect(found.box.height).toBeLessThan(90);
    expect(cosineDistance(embeddingOf(found), embeddingOf(original))).toBeLessThan(0.2);
  });

  it('gives a near-identical embedding for an EXIF-rotated copy', async () => {
    const source = 'people/kit_harington/03.jpg';
    const rotated = await sharp(read(source)).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const { faces, width, height } = await vision.analyzeImage(rotated);
    const original = analyses.get(source)!;
    expect([width, height]).toEqual([original.width, original.height]);
    expect(cosineDistance(embeddingOf(pickPrimaryFace(faces)), embeddingOf(pickPrimaryFace(original.faces)))).toBeLessThan(0.02);
  });

  it('reads the RGBA PNG like the JPEG of the same picture', () => {
    const png = pickPrimaryFace(analyses.get('people/obama/05-rgba.png')!.faces);
    const jpeg = pickPrimaryFace(analyses.get('people/obama/02.jpg')!.faces);
    expect(cosineDistance(embeddingOf(png), embeddingOf(jpeg))).toBeLessThan(0.03);
  });

  it('embeds a batch exactly as one face at a time', async () => {
    const oneByOne = await createVisionPipeline(config, silentLogger, { embedBatchSize: 1 });
    try {
      const image = await vision.decodeImage(read('groups/obama-biden-2.jpg'));
      const faces = await vision.detectFaces(image);
      expect(faces.length).toBeGreaterThanOrEqual(3);
      const batched = await vision.embedFaces(image, faces);
      const single = await oneByOne.embedFaces(image, faces);
      let maxDiff = 0;
      batched.forEach((face, i) => {
        const other = embeddingOf(single[i]);
        embeddingOf(face).forEach((value, d) => (maxDiff = Math.max(maxDiff, Math.abs(value - other[d]!))));
      });
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      await oneByOne.close();
    }
  });

  it('finds the same faces and embeddings with tiles, windows, landmark crops and crops batched as one at a time', async () => {
    const oneByOne = await createVisionPipeline(config, silentLogger, { detectBatchSize: 1, landmarkBatchSize: 1, embedBatchSize: 1 });
    try {
      // A group photo in a 1080p frame with a small face beside it: whole-frame faces, a tile-only face and
      // its context windows all run.
      const small = await sharp(read('people/biden/01.jpg')).resize({ height: 250 }).toBuffer();
      const group = await sharp(read('groups/obama-biden-2.jpg')).resize({ height: 700 }).toBuffer();
      const frame = await vision.decodeImage(
        await sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: 96, g: 104, b: 112 } } })
          .composite([{ input: group, left: 40, top: 90 }, { input: small, left: 1500, top: 300 }])
          .jpeg({ quality: 92 })
          .toBuffer(),
      );
      const batched = await vision.embedFaces(frame, await vision.detectFaces(frame));
      const single = await oneByOne.embedFaces(frame, await oneByOne.detectFaces(frame));
      expect(batched.length).toBeGreaterThanOrEqual(4);
      expect(batched.some((face) => face.box.height < 60)).toBe(true);
      expect(single).toHaveLength(batched.length);
      batched.forEach((face, i) => {
        const other = single[i]!;
        expect(Math.abs(face.score - other.score)).toBeLessThan(1e-5);
        for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(face.box[key] - other.box[key])).toBeLessThan(1e-3);
        face.landmarks.forEach(([x, y], k) => expect(Math.hypot(x - other.landmarks[k]![0], y - other.landmarks[k]![1])).toBeLessThan(1e-3));
        expect(cosineDistance(embeddingOf(face), embeddingOf(other))).toBeLessThan(1e-6);
      });
    } finally {
      await oneByOne.close();
    }
  });

  it('locates landmarks itself when a face comes without them', async () => {
    const image = await vision.decodeImage(read('people/rose_leslie/02.jpg'));
    const [face] = await vision.detectFaces(image);
    const [withOwn] = await vision.embedFaces(image, [{ ...face!, landmarks: [] }]);
    expect(withOwn!.landmarks).toEqual(face!.landmarks);
    expect(cosineDistance(embeddingOf(withOwn), embeddingOf((await vision.embedFaces(image, [face!]))[0]))).toBeLessThan(1e-6);
  });

  it('times every stage of analyzeImage', () => {
    const { timings } = analyses.get('groups/rose-kit.jpg')!;
    for (const value of Object.values(timings)) expect(value).toBeGreaterThan(0);
  });

  it('returns no faces for a picture without any', async () => {
    const empty = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#7a8b9c' } }).png().toBuffer();
    expect((await vision.analyzeImage(empty)).faces).toEqual([]);
  });

  it('cuts a square JPEG thumbnail around a face, also at the frame border', async () => {
    const image = await vision.decodeImage(read('people/eric_clapton/01.jpg'));
    const face = pickPrimaryFace(await vision.detectFaces(image))!;
    expect(face.box.y).toBeLessThan(5); // this face touches the top edge
    const thumbnail = await vision.cropFace(image, face.box, 128);
    const metadata = await sharp(thumbnail).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 128, 128]);
  });

  it.each([
    ['empty input', new Uint8Array(0)],
    ['text', Buffer.from('not an image at all')],
    ['a truncated JPEG', read('people/obama/03.jpg').subarray(0, 100_000)],
  ])('refuses %s with BAD_INPUT', async (_name, bytes) => {
    await expect(vision.analyzeImage(bytes)).rejects.toMatchObject({ name: 'SenseError', code: 'BAD_INPUT' });
  });
});

describe('execution provider', () => {
  it('uses the CPU when asked, without warning', async () => {
    const logger = createRecordingLogger();
    const cpu = await createVisionPipeline(config, logger);
    await cpu.close();
    expect(cpu.executionProvider).toBe('cpu');
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('with auto, falls back to the CPU with one warning saying why, or uses CUDA where it works', async () => {
    const logger = createRecordingLogger();
    const auto = await createVisionPipeline({ ...config, executionProvider: 'auto' }, logger);
    await auto.close();
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    if (auto.executionProvider === 'cpu') {
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]!.fields.reason)).toMatch(/^CUDA execution provider not available: ./);
      expect(auto.executionProviderReason).toBe(warnings[0]!.fields.reason);
    } else {
      expect(warnings).toEqual([]);
    }
  });

  it('with cuda, stops with a clear error when CUDA cannot be used', async () => {
    const auto = await createVisionPipeline({ ...config, executionProvider: 'auto' }, silentLogger);
    await auto.close();
    const attempt = createVisionPipeline({ ...config, executionProvider: 'cuda' }, silentLogger);
    if (auto.executionProvider === 'cuda') {
      await (await attempt).close();
      return;
    }
    const error: unknown = await attempt.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SenseError);
    expect((error as SenseError).message).toMatch(/EXECUTION_PROVIDER is "cuda" but the CUDA execution provider is not available: .+EXECUTION_PROVIDER=auto or cpu/);
  });
});

describe('model files', () => {
  it('refuses to start without a model file, naming it', async () => {
    const temp = makeTempDir('stash-sense-models-');
    try {
      for (const file of ['fr_detect.onnx', 'fr_landmark.onnx']) copyFileSync(join(repoRoot, 'models', file), join(temp.path, file));
      const error: unknown = await createVisionPipeline({ ...config, modelsDir: temp.path }, silentLogger).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: 'MODEL_MISSING' });
      expect((error as Error).message).toContain('fr_feature.onnx');
      expect((error as Error).message).toContain(temp.path);
    } finally {
      temp.remove();
    }
  });

  it('stops working once closed', async () => {
    const closing = await createVisionPipeline(config, silentLogger);
    await closing.close();
    await expect(closing.analyzeImage(read('people/obama/07-small.jpg'))).rejects.toThrow(/closed/);
  });
});

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function summarise(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.round(p * (sorted.length - 1))]!.toFixed(3);
  return `n=${values.length} min=${at(0)} p5=${at(0.05)} p25=${at(0.25)} median=${at(0.5)} p75=${at(0.75)} p95=${at(0.95)} max=${at(1)} mean=${mean(values).toFixed(3)}`;
}
