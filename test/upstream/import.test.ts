import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { openFaceDatabase } from '../../src/faces/index.js';
import { createRecordingLogger, silentLogger } from '../../src/logger.js';
import { importUpstream, type ImportProgress } from '../../src/upstream/index.js';
import { writeUpstreamRelease, type ReleasePerformer } from './helpers/upstream-release.js';

const dims = 16;
const vector = (seed: number) => Float32Array.from({ length: dims }, (_, d) => Math.sin(seed * 5.1 + d * 2.3));
const models = [
  { name: 'facenet', dims },
  { name: 'arcface', dims },
];

const performers: ReleasePerformer[] = [
  {
    name: 'Ada Example',
    country: 'GB',
    aliases: ['Ada E.'],
    stashIds: [
      ['stashdb', 'aaaaaaaa-0000-4000-8000-000000000001'],
      ['theporndb', 'tpdb-ada'],
    ],
    faces: [vector(1), vector(2)],
  },
  { name: 'Bea Sample', stashIds: [['fansdb', 'fans-bea']], faces: [vector(3)] },
];

let root: string;
let release: string;
let dataDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'upstream-import-'));
  release = join(root, 'release');
  dataDir = join(root, 'data');
  await mkdir(release);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('importUpstream', () => {
  it('installs performers, stash ids and faces under upstream face ids, searchable per model', async () => {
    await writeUpstreamRelease(release, performers, { storage: 'e4m3' });
    const progress: ImportProgress[] = [];
    const result = await importUpstream(release, dataDir, { onProgress: (p) => progress.push(p) }, createRecordingLogger());
    expect(result).toMatchObject({ upstreamVersion: '2026.02.12', performerCount: 2, faceCount: 3, skippedFaces: 0 });
    expect(progress.map((p) => p.step)).toEqual(expect.arrayContaining(['checksums', 'convert', 'performers', 'faces', 'install']));
    expect((await readdir(dataDir)).filter((name) => name.startsWith('.import-'))).toEqual([]);

    const database = await openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger);
    try {
      expect(database.info()).toMatchObject({ profile: 'stash-sense', performerCount: 2, faceCount: 3, version: result.version });
      const [hit] = database.search('facenet', vector(2), 1);
      expect(hit?.faceId).toBe(1);
      const [arcHit] = database.search('arcface', Float32Array.from(vector(3)).reverse(), 1);
      expect(arcHit?.faceId).toBe(2);
      const found = database.getPerformers([hit!.performerId, arcHit!.performerId]);
      expect(found.get(hit!.performerId)).toMatchObject({
        name: 'Ada Example',
        aliases: ['Ada E.'],
        country: 'GB',
        faceCount: 2,
      });
      expect(found.get(hit!.performerId)?.stashIds).toEqual(
        expect.arrayContaining([
          { endpoint: 'https://stashdb.org/graphql', stashId: 'aaaaaaaa-0000-4000-8000-000000000001' },
          { endpoint: 'https://theporndb.net/graphql', stashId: 'tpdb-ada' },
        ]),
      );
      expect(found.get(arcHit!.performerId)?.stashIds).toEqual([{ endpoint: 'https://fansdb.cc/graphql', stashId: 'fans-bea' }]);
    } finally {
      await database.close();
    }
  });

  it('leaves the installed database untouched when a later release fails its checks', async () => {
    await writeUpstreamRelease(release, performers);
    const first = await importUpstream(release, dataDir, {}, silentLogger);
    const path = join(release, 'face_facenet.voy');
    const bytes = await readFile(path);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(path, bytes);

    const error = await importUpstream(release, dataDir, {}, silentLogger).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('BAD_INPUT');
    expect((error as Error).message).toMatch(/face_facenet\.voy does not match manifest\.json/);
    const database = await openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger);
    try {
      expect(database.info()).toMatchObject({ version: first.version, faceCount: 3 });
    } finally {
      await database.close();
    }
    expect((await readdir(dataDir)).filter((name) => name.startsWith('.import-'))).toEqual([]);
  });

  it('keeps faces.json gaps out of search results', async () => {
    await writeUpstreamRelease(release, performers, { gaps: 2 });
    const result = await importUpstream(release, dataDir, {}, silentLogger);
    expect(result).toMatchObject({ faceCount: 3, skippedFaces: 2 });
    const database = await openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger);
    try {
      const gapVector = Float32Array.from({ length: dims }, (_, d) => Math.cos(0 + d));
      expect(database.search('facenet', gapVector, 5).map((hit) => hit.faceId).sort()).toEqual([0, 1, 2]);
    } finally {
      await database.close();
    }
  });
});
