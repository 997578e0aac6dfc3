// End to end under the stash-sense profile: a face embedded by our pipeline is found in an imported upstream
// release, and the result has the same shape as under the embedded profile.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFaceDatabase, startLiveFaceDatabase, type FaceDatabase, type LiveFaceDatabase } from '../../src/faces/index.js';
import { createIdentifyService } from '../../src/identify/index.js';
import { createMatchPolicy } from '../../src/match/index.js';
import { silentLogger } from '../../src/logger.js';
import { importUpstream } from '../../src/upstream/index.js';
import { createVisionPipeline, type VisionPipeline } from '../../src/vision/index.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { lcgImage } from '../vision/helpers/images.js';
import { probeEmbedderModel, scrfdModel, spreadPicks } from '../vision/helpers/stash-sense-models.js';
import { writeUpstreamRelease } from './helpers/upstream-release.js';

const models = [
  { name: 'facenet', dims: 512 },
  { name: 'arcface', dims: 512 },
];

let temp: ReturnType<typeof makeTempDir>;
let vision: VisionPipeline;
let database: FaceDatabase;
let live: LiveFaceDatabase | undefined;
let photo: Buffer;

beforeAll(async () => {
  temp = makeTempDir('identify-imported-');
  const modelsDir = join(temp.path, 'models');
  mkdirSync(modelsDir);
  const files = [
    ['det_500m.onnx', 'detector', scrfdModel([{ stride: 32, column: 10, row: 5, anchor: 0, score: 0.93, distances: [2, 2.5, 2, 2.5], keypoints: [-0.6, -0.5, 0.6, -0.5, 0, 0.2, -0.5, 1, 0.5, 1] }])],
    ['facenet512.onnx', 'facenet', probeEmbedderModel(160, spreadPicks(160))],
    ['arcface.onnx', 'arcface', probeEmbedderModel(112, spreadPicks(112))],
  ] as const;
  const manifestFiles = files.map(([name, role, bytes]) => {
    writeFileSync(join(modelsDir, name), bytes);
    return { name, role, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), source: { kind: 'url', url: `http://127.0.0.1:9/${name}` } };
  });
  const manifestPath = join(temp.path, 'manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ profiles: { 'stash-sense': { embeddingModels: ['facenet', 'arcface'], files: manifestFiles } } }));
  vision = await createVisionPipeline(
    { modelsDir, profile: 'stash-sense', executionProvider: 'cpu', maxImagePixels: 10_000_000, detectionThreshold: 0.5, flip: true },
    silentLogger,
    { manifestPath, intraOpNumThreads: 1 },
  );

  const frame = lcgImage(1280, 720, 11);
  photo = await sharp(frame.data, { raw: { width: 1280, height: 720, channels: 3 } }).png().toBuffer();
  const [face] = (await vision.analyzeImage(photo)).faces;
  const other = (seed: number) => Float32Array.from({ length: 512 }, (_, d) => Math.sin(seed + d * 0.37));
  const release = join(temp.path, 'release');
  mkdirSync(release);
  await writeUpstreamRelease(
    release,
    [
      { name: 'Someone Else', stashIds: [['stashdb', 'else-1']], faces: [other(1), other(2)] },
      {
        name: 'Probe Person',
        aliases: ['P. Person'],
        stashIds: [['stashdb', 'aaaaaaaa-0000-4000-8000-00000000000f'], ['fansdb', 'fans-probe']],
        faces: [face!.embeddings.facenet!],
        arcfaceFaces: [face!.embeddings.arcface!],
      },
    ],
    { dims: 512, gaps: 1 },
  );
  const dataDir = join(temp.path, 'data');
  await importUpstream(release, dataDir, {}, silentLogger);
  live = await startLiveFaceDatabase({ dataDir, open: () => openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger), pollMs: 60_000, logger: silentLogger });
  database = live.current();
});
afterAll(async () => {
  await live?.close();
  await vision?.close();
  temp?.remove();
});

describe('identifying against an imported upstream database', () => {
  it('finds the performer whose upstream vectors this pipeline produces, with every stash-box id', async () => {
    const identify = createIdentifyService({
      vision,
      faces: live!,
      limits: { maxBytes: 20_000_000, urlTimeoutMs: 1000 },
      defaults: { topK: 5, policy: createMatchPolicy({ calibration: undefined, explicitMaxDistance: null, fallbackDistance: 0.5 }), searchK: 50 },
      logger: silentLogger,
    });
    const result = await identify.identifyImage({ kind: 'bytes', bytes: photo });
    expect(result.databaseVersion).toBe(database.info().version);
    expect(result.faces).toHaveLength(1);
    const [face] = result.faces;
    expect(Object.keys(face!).sort()).toEqual(['box', 'candidates', 'score', 'status']);
    expect(face!.status).toBe('MATCHED');
    const [best] = face!.candidates;
    expect(best).toMatchObject({ name: 'Probe Person', aliases: ['P. Person'] });
    expect(best!.distance).toBeLessThan(1e-4);
    expect(best!.confidence).toBeGreaterThan(0.99);
    expect(best!.stashIds).toEqual(
      expect.arrayContaining([
        { endpoint: 'https://stashdb.org/graphql', stashId: 'aaaaaaaa-0000-4000-8000-00000000000f' },
        { endpoint: 'https://fansdb.cc/graphql', stashId: 'fans-probe' },
      ]),
    );
  });
});
