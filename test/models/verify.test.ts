import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { loadModelManifest, parseManifest, verifyModelFiles, type ModelManifest } from '../../src/models/index.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';

const manifestPath = join(repoRoot, 'models', 'manifest.json');
const embeddedFiles = ['fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx'];

async function failure(promise: Promise<unknown>): Promise<SenseError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SenseError);
  return error as SenseError;
}

describe('loadModelManifest', () => {
  it('reads the shipped manifest: the embedded profile with its three roles', async () => {
    const manifest = await loadModelManifest(manifestPath);
    const embedded = manifest.profiles.embedded!;
    expect(embedded.embeddingModels).toEqual(['embedded']);
    expect(embedded.files.map((file) => [file.name, file.role])).toEqual([
      ['fr_detect.onnx', 'detector'],
      ['fr_landmark.onnx', 'landmarks'],
      ['fr_feature.onnx', 'embedder'],
    ]);
    expect(embedded.files[0]!.source).toMatchObject({ kind: 'npm', package: 'faceplugin-face-recognition-js' });
  });

  it('reads the shipped stash-sense profile: SCRFD from the buffalo_sc pack, FaceNet512 and ArcFace, each with size and sha256', async () => {
    const manifest = await loadModelManifest(manifestPath);
    const profile = manifest.profiles['stash-sense']!;
    expect(profile.embeddingModels).toEqual(['facenet', 'arcface']);
    expect(profile.files.map((file) => [file.name, file.role, file.size])).toEqual([
      ['det_500m.onnx', 'detector', 2524817],
      ['facenet512.onnx', 'facenet', 93985006],
      ['arcface.onnx', 'arcface', 136564309],
    ]);
    expect(profile.files[0]!.source).toMatchObject({ kind: 'zip', path: 'det_500m.onnx', url: expect.stringMatching(/buffalo_sc\.zip$/), size: 16140916 });
    expect(profile.files[1]!.source).toEqual({ kind: 'url', url: expect.stringMatching(/\/facenet512\.onnx$/) });
    expect(profile.files[1]!.sha256).toBe('4b6fcd19d0355d532d25007989d62cdfb5f86d761e52c6287aac9d821011a9e6');
  });

  it('refuses a zip source without the archive sha256', () => {
    const file = { name: 'd.onnx', role: 'detector', sha256: 'a'.repeat(64), source: { kind: 'zip', url: 'https://example.org/p.zip', path: 'd.onnx' } };
    expect(() => parseManifest({ profiles: { p: { embeddingModels: [], files: [file] } } }, 'm.json')).toThrow(/zip source has no lowercase hex "sha256"/);
  });

  it('accepts url-sourced profiles', () => {
    const manifest = parseManifest(
      { profiles: { other: { embeddingModels: ['x'], files: [{ name: 'x.onnx', role: 'embedder', sha256: 'a'.repeat(64), source: { kind: 'url', url: 'https://example.org/x.onnx' } }] } } },
      'test',
    );
    expect(manifest.profiles.other!.files[0]!.source).toEqual({ kind: 'url', url: 'https://example.org/x.onnx' });
  });

  it('names what is wrong in a malformed manifest', () => {
    expect(() => parseManifest({ profiles: { p: { embeddingModels: [], files: [{ name: '../x', role: 'r', sha256: 'a'.repeat(64), source: { kind: 'npm' } }] } } }, 'm.json')).toThrow(
      /m\.json is malformed: profile "p" file 1 has no valid "name"/,
    );
    expect(() => parseManifest({ nope: 1 }, 'm.json')).toThrow(/no "profiles"/);
  });

  it('says MODEL_MISSING when the manifest itself is missing', async () => {
    const error = await failure(loadModelManifest('/nonexistent/manifest.json'));
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).toContain('/nonexistent/manifest.json');
  });
});

describe('verifyModelFiles', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let manifest: ModelManifest;

  beforeEach(async () => {
    temp = makeTempDir('stash-sense-models-');
    for (const file of embeddedFiles) copyFileSync(join(repoRoot, 'models', file), join(temp.path, file));
    manifest = await loadModelManifest(manifestPath);
  });
  afterEach(() => temp.remove());

  it('returns the absolute path of each role when every file matches', async () => {
    expect(await verifyModelFiles(temp.path, 'embedded', manifest)).toEqual({
      detector: join(temp.path, 'fr_detect.onnx'),
      landmarks: join(temp.path, 'fr_landmark.onnx'),
      embedder: join(temp.path, 'fr_feature.onnx'),
    });
  });

  it('names the missing file, the folder and the fix', async () => {
    rmSync(join(temp.path, 'fr_landmark.onnx'));
    const error = await failure(verifyModelFiles(temp.path, 'embedded', manifest));
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).toContain('fr_landmark.onnx');
    expect(error.message).toContain(temp.path);
    expect(error.message).toContain('npm run models:fetch');
  });

  it('refuses a corrupt file of the right size by its sha256', async () => {
    const path = join(temp.path, 'fr_feature.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(path, bytes);
    const error = await failure(verifyModelFiles(temp.path, 'embedded', manifest));
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).toMatch(/fr_feature\.onnx .* has sha256 [0-9a-f]{64}, not the expected 87aacdfe/);
    expect(error.message).toContain('npm run models:fetch');
  });

  it('refuses a truncated file by its size', async () => {
    const path = join(temp.path, 'fr_detect.onnx');
    writeFileSync(path, readFileSync(path).subarray(0, 1000));
    const error = await failure(verifyModelFiles(temp.path, 'embedded', manifest));
    expect(error.message).toMatch(/fr_detect\.onnx .* is 1000 bytes, not the expected 1217758/);
  });

  it('refuses a folder where a file should be', async () => {
    rmSync(join(temp.path, 'fr_detect.onnx'));
    mkdirSync(join(temp.path, 'fr_detect.onnx'));
    const error = await failure(verifyModelFiles(temp.path, 'embedded', manifest));
    expect(error.message).toContain('fr_detect.onnx');
  });

  it('tells url-sourced profiles to use the CLI fetch', async () => {
    const withUrl = parseManifest(
      { profiles: { 'stash-sense': { embeddingModels: ['arcface'], files: [{ name: 'arcface.onnx', role: 'arcface', sha256: 'a'.repeat(64), source: { kind: 'url', url: 'https://example.org/arcface.onnx' } }] } } },
      'test',
    );
    const error = await failure(verifyModelFiles(temp.path, 'stash-sense', withUrl));
    expect(error.message).toContain('stash-sense models fetch --profile stash-sense');
  });

  it('names a missing stash-sense file and the command that fetches it into this folder', async () => {
    const error = await failure(verifyModelFiles(temp.path, 'stash-sense', manifest));
    expect(error.code).toBe('MODEL_MISSING');
    expect(error.message).toContain('Model file det_500m.onnx (profile "stash-sense", detector) is missing from');
    expect(error.message).toContain(`stash-sense models fetch --profile stash-sense --models-dir ${temp.path}`);
  });

  it('refuses an unknown profile', async () => {
    const error = await failure(verifyModelFiles(temp.path, 'nope', manifest));
    expect(error.message).toMatch(/"nope" is not in the model manifest \(known: embedded/);
  });
});
