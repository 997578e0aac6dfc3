// An upstream release downloaded from a (local) release host as a job of the running service: the release
// index says a newer one exists, a cut download resumes, the sha256 is checked, the new database is swapped in
// while a request holding the old one finishes on it, and a bad checksum changes nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { RELEASE_DOWNLOAD_DIR } from '../../src/upstream/index.js';
import { openTestApp } from '../helpers/app.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { buildZip } from '../models/helpers/zip-writer.js';
import { rewriteManifest, writeUpstreamRelease, type ReleasePerformer } from './helpers/upstream-release.js';

const dims = 512;
const vector = (seed: number) => Float32Array.from({ length: dims }, (_, d) => Math.sin(seed * 4.3 + d * 1.7));
const oldRelease: ReleasePerformer[] = [{ name: 'Old Star', stashIds: [['stashdb', 'old-1']], faces: [vector(1)] }];
const newRelease: ReleasePerformer[] = [
  { name: 'New Star', stashIds: [['stashdb', 'new-1']], faces: [vector(1), vector(2)] },
  { name: 'Other Star', stashIds: [['fansdb', 'fans-other']], faces: [vector(3)] },
];
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

interface JobView {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  result: string | null;
  progress: { done: number; total: number | null; current: string | null };
}

let temp: ReturnType<typeof makeTempDir>;
let files: FileServer;
let app: App;
let server: Awaited<ReturnType<typeof startTestServer>>;
let archive: Buffer;

async function releaseDir(name: string, performers: ReleasePerformer[], version: string): Promise<string> {
  const dir = join(temp.path, name);
  await mkdir(dir, { recursive: true });
  await writeUpstreamRelease(dir, performers, { dims });
  await rewriteManifest(dir, (manifest) => {
    manifest.version = version;
  });
  return dir;
}

function releaseIndex(digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      tag_name: 'v2026.03.01',
      draft: false,
      published_at: '2026-03-01T10:00:00Z',
      assets: [
        { name: 'checksums.txt', size: 10, browser_download_url: `${files.url}/checksums.txt` },
        { name: 'stash-sense-data-2026.03.01.zip', size: archive.length, browser_download_url: `${files.url}/stash-sense-data-2026.03.01.zip`, digest: `sha256:${digest}` },
      ],
    }),
  );
}

async function waitForJob(id: string): Promise<JobView> {
  for (;;) {
    const { data } = await server.graphql<{ job: JobView }>('query ($id: ID!) { job(id: $id) { id status error { code message } result progress { done total current } } }', { id });
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(data!.job.status)) return data!.job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startImport(): Promise<JobView> {
  const { data, errors } = await server.graphql<{ startUpstreamImport: JobView }>('mutation { startUpstreamImport { id status error { code message } result progress { done total current } } }');
  expect(errors).toBeUndefined();
  return waitForJob(data!.startUpstreamImport.id);
}

const nearestName = (database: ReturnType<App['faces']>, seed: number) => {
  const [hit] = database.search('facenet', vector(seed), 1);
  return database.getPerformers([hit!.performerId]).get(hit!.performerId)!.name;
};

beforeEach(async () => {
  temp = makeTempDir('import-url-');
  const next = await releaseDir('new', newRelease, '2026.03.01');
  archive = buildZip(await Promise.all(['manifest.json', 'faces.json', 'performers.json', 'face_facenet.voy', 'face_arcface.voy', 'performers.db'].map(async (name) => ({ name: `stash-sense-data/${name}`, data: await readFile(join(next, name)) }))));
  files = await startFileServer({ '/stash-sense-data-2026.03.01.zip': archive });
  files.files['/index.json'] = releaseIndex(sha256(archive));
  ({ app } = await openTestApp(join(temp.path, 'data'), { MODEL_PROFILE: 'stash-sense', MODELS_DIR: '', UPSTREAM_RELEASE_INDEX_URL: `${files.url}/index.json` }, { runJobs: true, allowMissingModels: true }));
  // The importUpstream mutation reads releases only from under IMPORT_DIR, which defaults to DATA_DIR.
  await app.services.upstreamImport.importRelease(await releaseDir(join('data', 'releases', 'old'), oldRelease, '2026.02.18'));
  server = await startTestServer(app);
});
afterEach(async () => {
  await server.close();
  await app.close();
  await files.close();
  temp.remove();
});

describe('importing the upstream release from its URL', () => {
  it('checkUpstreamRelease reads the release index and compares it with the imported release', async () => {
    const { data, errors } = await server.graphql<{ checkUpstreamRelease: Record<string, unknown> }>(
      '{ checkUpstreamRelease { indexUrl latestVersion publishedAt downloadUrl sizeBytes sha256 installedVersion updateAvailable } }',
    );
    expect(errors).toBeUndefined();
    expect(data!.checkUpstreamRelease).toEqual({
      indexUrl: `${files.url}/index.json`,
      latestVersion: '2026.03.01',
      publishedAt: '2026-03-01T10:00:00Z',
      downloadUrl: `${files.url}/stash-sense-data-2026.03.01.zip`,
      sizeBytes: archive.length,
      sha256: sha256(archive),
      installedVersion: '2026.02.18',
      updateAvailable: true,
    });
  });

  it('downloads the latest release as a job, resuming a cut download, and swaps it in while a request holds the old one', async () => {
    // A request in flight holds a lease on the database it started with.
    const lease = app.faceDatabase.acquire();
    const inFlight = lease.database;
    files.cut.set('/stash-sense-data-2026.03.01.zip', Math.floor(archive.length / 2));
    const first = await startImport();
    expect(first.status).toBe('FAILED');
    expect(nearestName(app.faces(), 1)).toBe('Old Star');

    const second = await startImport();
    expect(second.error).toBeNull();
    expect(second.status).toBe('COMPLETED');
    expect(JSON.parse(second.result!)).toMatchObject({ upstreamVersion: '2026.03.01', performerCount: 2, faceCount: 3 });
    const range = files.requests.filter((request) => request.path.endsWith('.zip')).at(-1)?.headers.range;
    expect(Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1])).toBeGreaterThan(0);

    // The request that started on the old database finishes on it; new requests see the new one.
    expect(nearestName(inFlight, 1)).toBe('Old Star');
    lease.release();
    expect(nearestName(app.faces(), 1)).toBe('New Star');
    const { data } = await server.graphql<{ faceDatabase: { performerCount: number; faceCount: number } }>('{ faceDatabase { performerCount faceCount } }');
    expect(data!.faceDatabase).toEqual({ performerCount: 2, faceCount: 3 });
    const check = await server.graphql<{ checkUpstreamRelease: { installedVersion: string; updateAvailable: boolean } }>('{ checkUpstreamRelease { installedVersion updateAvailable } }');
    expect(check.data!.checkUpstreamRelease).toEqual({ installedVersion: '2026.03.01', updateAvailable: false });
    expect(existsSync(join(app.config.paths.dataDir, RELEASE_DOWNLOAD_DIR))).toBe(false);
  });

  it('refuses an archive that fails its checksum and keeps the current database', async () => {
    files.files['/index.json'] = releaseIndex(sha256(Buffer.from('another archive')));
    const before = app.faces().info().version;
    const job = await startImport();
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatchObject({ code: 'BAD_INPUT' });
    expect(job.error!.message).toMatch(/stash-sense-data-2026\.03\.01\.zip failed its checksum/);
    expect(app.faces().info().version).toBe(before);
    expect(nearestName(app.faces(), 1)).toBe('Old Star');
    expect(readdirSync(join(app.config.paths.dataDir, RELEASE_DOWNLOAD_DIR))).toEqual([]);
  });
});
