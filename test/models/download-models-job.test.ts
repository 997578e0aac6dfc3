// The stash-sense profile without its models: the app starts degraded (health names the files, identification
// answers MODEL_MISSING), and the downloadModels job fetches them from a release host into DATA_DIR/models,
// resuming a cut download and refusing a file whose sha256 is wrong.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { buildZip } from './helpers/zip-writer.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const facenet = randomBytes(3 * 1024 * 1024 + 5);
const arcface = randomBytes(1024 * 1024 + 3);
const detector = randomBytes(200_000);
const pack = buildZip([{ name: 'buffalo_sc/det_500m.onnx', data: detector }]);

interface JobView {
  id: string;
  kind: string;
  status: string;
  progress: { done: number; total: number | null };
  error: { code: string; message: string } | null;
}
const jobFields = 'id kind status progress { done total } error { code message }';

let temp: ReturnType<typeof makeTempDir>;
let files: FileServer;
let manifestPath: string;
let app: App;
let server: Awaited<ReturnType<typeof startTestServer>>;

function writeManifest(facenetSha256 = sha256(facenet)): void {
  const file = (name: string, role: string, data: Buffer, sha = sha256(data)) => ({ name, role, sha256: sha, size: data.length, source: { kind: 'url', url: `${files.url}/${name}` } });
  const manifest = {
    profiles: {
      'stash-sense': {
        embeddingModels: ['facenet', 'arcface'],
        files: [
          { name: 'det_500m.onnx', role: 'detector', sha256: sha256(detector), size: detector.length, source: { kind: 'zip', url: `${files.url}/buffalo_sc.zip`, sha256: sha256(pack), size: pack.length, path: 'det_500m.onnx' } },
          file('facenet512.onnx', 'facenet', facenet, facenetSha256),
          file('arcface.onnx', 'arcface', arcface),
        ],
      },
    },
  };
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

async function waitForJob(id: string): Promise<JobView> {
  for (;;) {
    const { data } = await server.graphql<{ job: JobView }>(`query ($id: ID!) { job(id: $id) { ${jobFields} } }`, { id });
    const job = data!.job;
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startDownload(): Promise<JobView> {
  const { data, errors } = await server.graphql<{ downloadModels: JobView }>(`mutation { downloadModels { ${jobFields} } }`);
  expect(errors).toBeUndefined();
  return data!.downloadModels;
}

beforeEach(async () => {
  temp = makeTempDir('download-models-');
  manifestPath = join(temp.path, 'manifest.json');
  files = await startFileServer({ '/facenet512.onnx': facenet, '/arcface.onnx': arcface, '/buffalo_sc.zip': pack });
  writeManifest();
  // No MODELS_DIR: the stash-sense profile keeps its models in DATA_DIR/models.
  ({ app } = await openTestApp(join(temp.path, 'data'), { MODEL_PROFILE: 'stash-sense', MODELS_DIR: '' }, { runJobs: true, allowMissingModels: true, modelManifestPath: manifestPath }));
  server = await startTestServer(app);
});
afterEach(async () => {
  await server.close();
  await app.close();
  await files.close();
  temp.remove();
});

describe('the stash-sense profile without its models', () => {
  it('starts degraded: health names the missing files and identification answers MODEL_MISSING', async () => {
    expect(app.config.paths.modelsDir).toBe(join(temp.path, 'data', 'models'));
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(503);
    const health = (await response.json()) as { status: string; missing_models: string[]; database_loaded: boolean };
    expect(health).toMatchObject({ status: 'degraded', database_loaded: true, missing_models: ['det_500m.onnx', 'facenet512.onnx', 'arcface.onnx'] });

    const { data } = await server.graphql<{ health: { status: string; missingModels: string[] } }>('{ health { status missingModels } }');
    expect(data!.health).toEqual({ status: 'degraded', missingModels: ['det_500m.onnx', 'facenet512.onnx', 'arcface.onnx'] });

    const base64 = readFileSync(join(facesDir, 'groups/obama-biden-1.jpg')).toString('base64');
    const identified = await server.graphql('mutation ($b: String) { identifyImage(base64: $b) { width } }', { b: base64 });
    expect(identified.errors?.[0]?.extensions?.code).toBe('MODEL_MISSING');
    expect(identified.errors?.[0]?.message).toMatch(/downloadModels/);
  });

  it('downloadModels fetches them into DATA_DIR/models, resuming a cut download', async () => {
    files.cut.set('/facenet512.onnx', 1024 * 1024);
    const first = await waitForJob((await startDownload()).id);
    expect(first.status).toBe('FAILED');
    const modelsDir = join(temp.path, 'data', 'models');
    expect(existsSync(join(modelsDir, 'facenet512.onnx'))).toBe(false);
    expect(readdirSync(modelsDir)).toContain('facenet512.onnx.partial');

    const second = await waitForJob((await startDownload()).id);
    expect(second).toMatchObject({ kind: 'downloadModels', status: 'COMPLETED', error: null });
    expect(second.progress.total).toBe(Math.ceil((facenet.length + arcface.length + pack.length) / 1e6));
    expect(second.progress.done).toBe(second.progress.total);
    const resumed = files.requests.filter((request) => request.path === '/facenet512.onnx').at(-1);
    expect(resumed?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(resumed!.headers.range!)![0])).toBeGreaterThan(0);
    expect(sha256(readFileSync(join(modelsDir, 'facenet512.onnx')))).toBe(sha256(facenet));
    expect(sha256(readFileSync(join(modelsDir, 'arcface.onnx')))).toBe(sha256(arcface));
    expect(sha256(readFileSync(join(modelsDir, 'det_500m.onnx')))).toBe(sha256(detector));
    expect(readdirSync(modelsDir).sort()).toEqual(['arcface.onnx', 'det_500m.onnx', 'facenet512.onnx']);

    // These test files are random bytes, so they cannot load: no file is missing any more, and health says why.
    const health = (await (await fetch(`${server.url}/health`)).json()) as { missing_models: string[] };
    expect(health.missing_models).toHaveLength(1);
    expect(health.missing_models[0]).toMatch(/installed, but they do not load/);
  });

  it('refuses a file whose sha256 is wrong and installs nothing under its name', async () => {
    writeManifest(sha256(Buffer.from('another file')));
    const job = await waitForJob((await startDownload()).id);
    expect(job.status).toBe('FAILED');
    expect(job.error?.code).toBe('BAD_INPUT');
    expect(job.error?.message).toMatch(/facenet512\.onnx failed its checksum/);
    const modelsDir = join(temp.path, 'data', 'models');
    expect(readdirSync(modelsDir).filter((name) => name.startsWith('facenet512'))).toEqual([]);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { missing_models: string[] };
    expect(health.missing_models).toContain('facenet512.onnx');
  });
});
