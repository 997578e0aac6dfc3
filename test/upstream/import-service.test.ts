import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFaceDatabase, type FaceDatabase } from '../../src/faces/index.js';
import { silentLogger } from '../../src/logger.js';
import { createImportService, importUpstream } from '../../src/upstream/index.js';
import { writeUpstreamRelease, type ReleasePerformer } from './helpers/upstream-release.js';

const dims = 16;
const vector = (seed: number) => Float32Array.from({ length: dims }, (_, d) => Math.sin(seed * 4.3 + d * 1.7));
const models = [
  { name: 'facenet', dims },
  { name: 'arcface', dims },
];
const oldRelease: ReleasePerformer[] = [{ name: 'Old Star', stashIds: [['stashdb', 'old-1']], faces: [vector(1)] }];
const newRelease: ReleasePerformer[] = [
  { name: 'New Star', stashIds: [['stashdb', 'new-1'], ['theporndb', 'tpdb-new']], faces: [vector(1), vector(2)] },
  { name: 'Other Star', stashIds: [['fansdb', 'fans-other']], faces: [vector(3)] },
];

let root: string;
let dataDir: string;
let current: FaceDatabase;
const open = () => openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger);
const nameOfNearest = (database: FaceDatabase, seed: number) => {
  const [hit] = database.search('facenet', vector(seed), 1);
  return database.getPerformers([hit!.performerId]).get(hit!.performerId)!.name;
};

/** The app's side: the database it serves, swapped by `reopen`. */
const service = (profile = 'stash-sense', reopen = async () => {
  const previous = current;
  current = await open();
  await previous.close();
}) => createImportService({ dataDir, profile, importRoot: root, logger: silentLogger, reopen });

async function release(name: string, performers: ReleasePerformer[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeUpstreamRelease(dir, performers, { dims });
  return dir;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'import-service-'));
  dataDir = join(root, 'data');
  await importUpstream(await release('old', oldRelease), dataDir, {}, silentLogger);
  current = await open();
});
afterEach(async () => {
  await current.close();
  await rm(root, { recursive: true, force: true });
});

describe('import service', () => {
  it('installs a release and switches the served database to it', async () => {
    expect(nameOfNearest(current, 1)).toBe('Old Star');
    const result = await service().importRelease(await release('new', newRelease));
    expect(result).toMatchObject({ performerCount: 2, faceCount: 3, skippedFaces: 0 });
    expect(current.info().version).toBe(result.version);
    expect(nameOfNearest(current, 1)).toBe('New Star');
    const [hit] = current.search('arcface', Float32Array.from(vector(3)).reverse(), 1);
    expect(current.getPerformers([hit!.performerId]).get(hit!.performerId)?.stashIds).toEqual([{ endpoint: 'https://fansdb.cc/graphql', stashId: 'fans-other' }]);
  });

  it('refuses a release with a bad checksum while the current database keeps serving', async () => {
    const dir = await release('new', newRelease);
    const path = join(dir, 'performers.db');
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(path, bytes);
    const served = current;
    await expect(service().importRelease(dir)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/performers\.db does not match manifest\.json/) });
    expect(current).toBe(served);
    expect(nameOfNearest(current, 1)).toBe('Old Star');
  });

  it('refuses to import under the embedded profile, whose models cannot search these embeddings', async () => {
    const before = current.info().version;
    await expect(service('embedded').importRelease(await release('new', newRelease))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('runs MODEL_PROFILE=embedded'),
    });
    const reopened = await open();
    expect(reopened.info().version).toBe(before);
    await reopened.close();
  });

  it('reads releases only from under its import folder', async () => {
    const inside = createImportService({ dataDir, profile: 'stash-sense', importRoot: dataDir, logger: silentLogger, reopen: async () => {} });
    const before = current.info().version;
    await expect(inside.importRelease(await release('new', newRelease))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(inside.importRelease('../new')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(inside.importRelease('/etc')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A symlink inside that points outside is outside.
    await symlink(join(root, 'new'), join(dataDir, 'linked'));
    await expect(inside.importRelease('linked')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const reopened = await open();
    expect(reopened.info().version).toBe(before);
    await reopened.close();
  });

  it('takes a folder name relative to its import folder', async () => {
    await release('new', newRelease);
    const result = await service().importRelease('new');
    expect(result).toMatchObject({ performerCount: 2 });
  });

  it('runs one import at a time', async () => {
    const imports = service();
    const [first, second] = await Promise.allSettled([
      imports.importRelease(await release('new', newRelease)),
      imports.importRelease(join(root, 'new')),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
  });

  it('says the import is installed when the switch fails, so a restart loads it', async () => {
    const failing = service('stash-sense', async () => {
      throw new Error('no memory');
    });
    await expect(failing.importRelease(await release('new', newRelease))).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/was installed \(version .+\) but could not be loaded: no memory\. Restart/),
    });
  });
});
