import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { createRecordingLogger } from '../../src/logger.js';
import { loadConvertedIndex, loadUpstreamDirectory } from '../../src/upstream/index.js';
import { rewriteManifest, writeUpstreamRelease, type ReleasePerformer } from './helpers/upstream-release.js';

const dims = 16;
const unit = (seed: number) => Float32Array.from({ length: dims }, (_, d) => Math.sin(seed * 7.3 + d * 1.7));

const performers: ReleasePerformer[] = [
  {
    name: 'Ada Example',
    country: 'GB',
    imageUrl: 'https://cdn.example/ada.jpg',
    aliases: ['Ada E.', 'A. Example'],
    stashIds: [
      ['stashdb', '11111111-1111-4111-8111-111111111111'],
      ['theporndb', 'tpdb-ada'],
      ['fansdb', 'fans-ada'],
    ],
    faces: [unit(1), unit(2), unit(3)],
  },
  {
    name: 'Bea Sample',
    stashIds: [['theporndb', 'tpdb-bea']],
    faces: [unit(4)],
  },
  {
    name: 'Cy Nobody',
    country: 'FR',
    stashIds: [['javstash', 'jav-cy']],
    faces: [unit(5), unit(6)],
  },
];

let root: string;
let release: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'upstream-dir-'));
  release = join(root, 'release');
  await mkdir(release);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reading an upstream release directory', () => {
  it('gives every face with its performer, aliases and the stash ids of every endpoint', async () => {
    await writeUpstreamRelease(release, performers);
    const upstream = await loadUpstreamDirectory(release);
    expect(upstream.manifest).toMatchObject({ version: '2026.02.12', faceCount: 6, performerCount: 3 });
    expect(upstream.faceCount).toBe(6);

    const faces = [...upstream.faces()];
    expect(faces.map((face) => [face.faceId, face.universalId])).toEqual([
      [0, 'stashdb.org:11111111-1111-4111-8111-111111111111'],
      [1, 'stashdb.org:11111111-1111-4111-8111-111111111111'],
      [2, 'stashdb.org:11111111-1111-4111-8111-111111111111'],
      [3, 'theporndb.net:tpdb-bea'],
      [4, 'javstash.org:jav-cy'],
      [5, 'javstash.org:jav-cy'],
    ]);
    expect(faces[0]!.performer).toBe(faces[2]!.performer);
    expect(faces[0]!.performer).toEqual({
      universalId: 'stashdb.org:11111111-1111-4111-8111-111111111111',
      name: 'Ada Example',
      aliases: ['Ada E.', 'A. Example'],
      stashIds: [
        { endpoint: 'https://stashdb.org/graphql', stashId: '11111111-1111-4111-8111-111111111111' },
        { endpoint: 'https://theporndb.net/graphql', stashId: 'tpdb-ada' },
        { endpoint: 'https://fansdb.cc/graphql', stashId: 'fans-ada' },
      ],
      country: 'GB',
      imageUrl: 'https://cdn.example/ada.jpg',
    });
    expect(faces[3]!.performer).toMatchObject({ name: 'Bea Sample', country: null, imageUrl: null, aliases: [] });
    expect(faces[4]!.performer.stashIds).toEqual([{ endpoint: 'https://javstash.org/graphql', stashId: 'jav-cy' }]);
  });

  it('converts both indices so a face vector finds its own upstream face id', async () => {
    await writeUpstreamRelease(release, performers, { storage: 'e4m3' });
    const upstream = await loadUpstreamDirectory(release);
    const out = join(root, 'out');
    await mkdir(out);
    const progress: string[] = [];
    const converted = await upstream.convertIndexes(out, { onProgress: (p) => progress.push(`${p.step}:${p.done}/${p.total}`) });
    expect(progress).toContain('convert:6/6');
    const facenet = await loadConvertedIndex(converted.facenet.path, dims);
    const arcface = await loadConvertedIndex(converted.arcface.path, dims);
    facenet.setEf(20);
    arcface.setEf(20);
    const vector = performers[2]!.faces[1]!;
    expect(facenet.searchKnn(Array.from(vector), 1).neighbors).toEqual([5]);
    expect(arcface.searchKnn(Array.from(vector).reverse(), 1).neighbors).toEqual([5]);
  });

  it('without performers.db, takes names from performers.json and the one stash id from the universal id', async () => {
    await writeUpstreamRelease(release, performers, { withPerformersDb: false });
    const upstream = await loadUpstreamDirectory(release);
    const ada = upstream.performers.get('stashdb.org:11111111-1111-4111-8111-111111111111');
    expect(ada).toMatchObject({
      name: 'Ada Example',
      aliases: [],
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: '11111111-1111-4111-8111-111111111111' }],
    });
  });

  it('leaves out faces.json gaps and reports their ids', async () => {
    await writeUpstreamRelease(release, performers, { gaps: 2 });
    const logger = createRecordingLogger();
    const upstream = await loadUpstreamDirectory(release, {}, logger);
    expect(upstream.skippedFaceIds).toEqual([6, 7]);
    expect([...upstream.faces()].map((face) => face.faceId)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(logger.lines.some((line) => line.level === 'warn' && line.fields['count'] === 2)).toBe(true);

    // Their vectors stay in the graph (they route searches) but are marked deleted, so no search returns them.
    const out = join(root, 'out');
    await mkdir(out);
    const converted = await upstream.convertIndexes(out);
    expect(converted.facenet.deletedCount).toBe(2);
    const index = await loadConvertedIndex(converted.facenet.path, dims);
    const gapVector = Array.from({ length: dims }, (_, d) => Math.cos(0 + d));
    expect(index.searchKnn(gapVector, 6).neighbors.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('refusing a release that does not match its manifest', () => {
  async function expectRefused(message: RegExp): Promise<void> {
    const before = await readdir(release);
    const error = await loadUpstreamDirectory(release).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('BAD_INPUT');
    expect((error as Error).message).toMatch(message);
    expect(await readdir(release)).toEqual(before);
  }

  it('refuses an index whose bytes changed after the manifest was written', async () => {
    await writeUpstreamRelease(release, performers);
    const path = join(release, 'face_arcface.voy');
    const bytes = await readFile(path);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0x01; // a vector byte: the file still parses, only the hash changes
    await writeFile(path, bytes);
    await expectRefused(/face_arcface\.voy does not match manifest\.json: sha256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
  });

  it('refuses a corrupted checksum entry for performers.db', async () => {
    await writeUpstreamRelease(release, performers);
    await rewriteManifest(release, (manifest) => {
      (manifest['checksums'] as Record<string, string>)['performers.db'] = `sha256:${'0'.repeat(64)}`;
    });
    await expectRefused(/performers\.db does not match manifest\.json/);
  });

  it('refuses face and performer counts that disagree with the manifest', async () => {
    await writeUpstreamRelease(release, performers);
    await rewriteManifest(release, (manifest) => {
      manifest['face_count'] = 7;
    });
    await expectRefused(/face_facenet\.voy holds 6 faces but manifest\.json says 7/);
    await rm(release, { recursive: true });
    await mkdir(release);
    await writeUpstreamRelease(release, performers);
    await rewriteManifest(release, (manifest) => {
      manifest['performer_count'] = 4;
    });
    await expectRefused(/performers\.json lists 3 performers but manifest\.json says 4/);
  });

  it('refuses faces.json whose length disagrees with the indices', async () => {
    await writeUpstreamRelease(release, performers);
    const faces = JSON.parse(await readFile(join(release, 'faces.json'), 'utf8')) as unknown[];
    await writeFile(join(release, 'faces.json'), JSON.stringify(faces.slice(1)));
    await expectRefused(/faces\.json lists 5 faces but manifest\.json says 6/);
  });

  it('refuses a listed file that is missing, and an index without a checksum', async () => {
    await writeUpstreamRelease(release, performers);
    await rm(join(release, 'performers.db'));
    await expectRefused(/performers\.db is listed in manifest\.json but missing/);
    await rewriteManifest(release, (manifest) => {
      const checksums = manifest['checksums'] as Record<string, string>;
      delete checksums['performers.db'];
      checksums['tattoo_embeddings.voy'] = `sha256:${'a'.repeat(64)}`;
    });
    await expectRefused(/tattoo_embeddings\.voy is listed in manifest\.json but missing/);
    await rewriteManifest(release, (manifest) => {
      manifest['checksums'] = {};
    });
    await expectRefused(/no checksum for face_facenet\.voy/);
  });

  it('refuses a truncated index before hashing anything', async () => {
    await writeUpstreamRelease(release, performers);
    const path = join(release, 'face_facenet.voy');
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, 300));
    await expectRefused(/face_facenet\.voy is not a usable Voyager index: the file is truncated/);
  });
});
