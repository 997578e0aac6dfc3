// Managing the face database: each edit is one write that changes only what it names, records only that in
// performers.db (the index files stay as they are until a compaction), and gives the database a new version.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { openFaceDatabase, startLiveFaceDatabase, type FaceDatabase, type OpenFaceDatabaseOptions } from '../../src/faces/index.js';
import { createRecordingLogger, silentLogger } from '../../src/logger.js';
import { TEST_MODELS, TEST_PROFILE, createRandom, sampleEmbeddings, syntheticFace, syntheticPerformers, type SyntheticPerformer } from './synthetic.js';

let dataDir: string;
const open: { close(): Promise<void> }[] = [];
const subjects = syntheticPerformers(6, 301);

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'faces-manage-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((database) => database.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

function options(overrides: Partial<OpenFaceDatabaseOptions> = {}): OpenFaceDatabaseOptions {
  return { dataDir, profile: TEST_PROFILE, models: TEST_MODELS, ...overrides };
}

async function openDb(overrides: Partial<OpenFaceDatabaseOptions> = {}): Promise<FaceDatabase> {
  const database = await openFaceDatabase(options(overrides), silentLogger);
  open.push(database);
  return database;
}

/** Every subject with 3 faces, then compacted: index files on disk hold them all. Returns performer ids. */
async function seed(database: FaceDatabase): Promise<string[]> {
  const random = createRandom(302);
  const { result } = await database.write((writer) =>
    subjects.map((subject) => {
      const id = writer.upsertPerformer(subject.performer);
      for (let n = 0; n < 3; n++) writer.addFace(id, syntheticFace(subject, n, random));
      return id;
    }),
  );
  await database.compact();
  return result;
}

function indexFileStats(): Map<string, string> {
  return new Map(
    readdirSync(dataDir)
      .filter((name) => name.endsWith('.hnsw'))
      .map((name) => {
        const info = statSync(join(dataDir, name));
        return [name, `${info.ino}:${info.size}:${info.mtimeMs}`];
      }),
  );
}

/** The performers whose faces are nearest `subject`'s, for each model. */
function nearest(database: FaceDatabase, subject: SyntheticPerformer): string[] {
  const probe = sampleEmbeddings(subject, createRandom(303));
  return TEST_MODELS.map(({ name }) => database.search(name, probe[name]!, 1)[0]?.performerId ?? 'none');
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSenseError(error)) throw new Error(`expected a SenseError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('managing the face database', () => {
  it('adds, deletes and renames without rewriting the index files, and a compaction writes them once', async () => {
    const database = await openDb();
    const ids = await seed(database);
    const before = indexFileStats();
    expect(before.size).toBe(TEST_MODELS.length);
    const versions = [database.info().version];

    const extra = syntheticPerformers(1, 304)[0]!;
    const { result: extraId } = await database.write((writer) => {
      const id = writer.upsertPerformer(extra.performer);
      writer.addFace(id, syntheticFace(extra, 0, createRandom(305)));
      return id;
    });
    versions.push(database.info().version);
    const [faceToDelete] = database.listFaces(ids[0]!);
    await database.write((writer) => writer.deleteFace(faceToDelete!.id));
    versions.push(database.info().version);
    await database.write((writer) => writer.editPerformer(ids[1]!, { name: 'Renamed One' }));
    versions.push(database.info().version);

    // The base files are the very same files: same inode, size and modification time.
    expect(indexFileStats()).toEqual(before);
    expect(new Set(versions).size).toBe(4);
    expect(database.info()).toMatchObject({ faceCount: subjects.length * 3, pendingChanges: 2 });
    expect(nearest(database, extra)).toEqual([extraId, extraId]);
    expect(database.listFaces(ids[0]!).map((face) => face.id)).not.toContain(faceToDelete!.id);

    // Reopened, the pending changes are applied to the loaded files.
    await database.close();
    const reopened = await openDb();
    expect(reopened.info()).toMatchObject({ faceCount: subjects.length * 3, pendingChanges: 2, version: versions[3] });
    expect(nearest(reopened, extra)).toEqual([extraId, extraId]);
    const allHits = reopened.search('arc', sampleEmbeddings(subjects[0]!, createRandom(306)).arc!, 100);
    expect(allHits.map((hit) => hit.faceId)).not.toContain(faceToDelete!.id);
    expect(allHits).toHaveLength(subjects.length * 3);

    expect(await reopened.compact()).toEqual({ compacted: true });
    const after = indexFileStats();
    expect([...after.keys()].some((name) => before.has(name))).toBe(false);
    expect(reopened.info()).toMatchObject({ pendingChanges: 0, version: versions[3] });
    expect(await reopened.compact()).toEqual({ compacted: false });
    expect(indexFileStats()).toEqual(after);
    expect(nearest(reopened, extra)).toEqual([extraId, extraId]);
  });

  it('deletes a performer with all their faces', async () => {
    const database = await openDb();
    const ids = await seed(database);
    const { facesDeleted } = await database.write((writer) => writer.deletePerformer(ids[2]!));
    expect(facesDeleted).toBe(3);
    expect(database.getPerformers([ids[2]!]).size).toBe(0);
    expect(database.listFaces(ids[2]!)).toEqual([]);
    expect(nearest(database, subjects[2]!)).not.toContain(ids[2]);
    expect(database.info()).toMatchObject({ performerCount: subjects.length - 1, faceCount: (subjects.length - 1) * 3 });
    expect(await rejection(database.write((writer) => writer.deletePerformer(ids[2]!)))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await rejection(database.write((writer) => writer.deleteFace(987654)))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('edits names, aliases and stash-box IDs, and refuses an ID another performer holds', async () => {
    const database = await openDb();
    const ids = await seed(database);
    const stashId = { endpoint: 'https://stashdb.org/graphql', stashId: 'new-uuid' };
    await database.write((writer) => writer.editPerformer(ids[0]!, { name: '  Ann Example ', aliases: ['Annie', 'A. Example', 'Annie'], stashIds: [stashId] }));
    expect(database.getPerformers([ids[0]!]).get(ids[0]!)).toMatchObject({ name: 'Ann Example', aliases: ['A. Example', 'Annie'], stashIds: [stashId] });

    const taken = subjects[1]!.performer.stashIds![0]!;
    const error = await rejection(database.write((writer) => writer.editPerformer(ids[0]!, { stashIds: [taken] })));
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(ids[1]!) });
    expect(database.getPerformers([ids[0]!]).get(ids[0]!)!.stashIds).toEqual([stashId]);
    expect(await rejection(database.write((writer) => writer.editPerformer(ids[0]!, { name: ' ' })))).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('merges one performer into another: faces, name as alias and stash-box IDs move, a shared photo is kept once', async () => {
    const database = await openDb();
    const ids = await seed(database);
    // The same photo enrolled for both performers.
    const shared = { ...syntheticFace(subjects[1]!, 0, createRandom(307)), sourceHash: subjects[0]!.performer.stashIds![0]!.stashId + '#0' };
    await database.write((writer) => writer.addFace(ids[1]!, shared));
    const { facesDeleted } = await database.write((writer) => writer.mergePerformers(ids[1]!, ids[0]!));
    expect(facesDeleted).toBe(1);
    const merged = database.getPerformers([ids[0]!, ids[1]!]);
    expect(merged.has(ids[1]!)).toBe(false);
    expect(merged.get(ids[0]!)).toMatchObject({
      name: subjects[0]!.performer.name,
      faceCount: 6,
      aliases: expect.arrayContaining([subjects[1]!.performer.name, ...subjects[1]!.performer.aliases!, ...subjects[0]!.performer.aliases!]),
      stashIds: expect.arrayContaining([...subjects[0]!.performer.stashIds!, ...subjects[1]!.performer.stashIds!]),
    });
    expect(nearest(database, subjects[1]!)).toEqual([ids[0], ids[0]]);
    expect(await rejection(database.write((writer) => writer.mergePerformers(ids[0]!, ids[0]!)))).toMatchObject({ code: 'BAD_INPUT' });
  });

  it('searches by a part of the name or an alias, ignoring case, and pages', async () => {
    const database = await openDb();
    await seed(database);
    expect(database.searchPerformers({ search: 'PERFORMER 3' }).performers.map((performer) => performer.name)).toEqual(['p performer 3']);
    expect(database.searchPerformers({ search: 'p-alias-4' }).performers.map((performer) => performer.name)).toEqual(['p performer 4']);
    const page = database.searchPerformers({ search: 'performer', limit: 2, offset: 2 });
    expect(page.total).toBe(subjects.length);
    expect(page.performers.map((performer) => performer.name)).toEqual(['p performer 2', 'p performer 3']);
    expect(database.searchPerformers({ search: '%' }).total).toBe(0);
  });

  it('keeps where each face came from and its thumbnail', async () => {
    const database = await openDb();
    const thumbnail = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const { result: id } = await database.write((writer) => {
      const performerId = writer.upsertPerformer(subjects[0]!.performer);
      writer.addFace(performerId, { ...syntheticFace(subjects[0]!, 0, createRandom(308)), origin: { kind: 'stash', ref: '42' }, thumbnail });
      writer.addFace(performerId, syntheticFace(subjects[0]!, 1, createRandom(309)));
      return performerId;
    });
    const [first, second] = database.listFaces(id);
    expect(first).toMatchObject({ originKind: 'stash', originRef: '42', sourcePath: '/photos/p performer 0/0.jpg', hasThumbnail: true });
    expect(second).toMatchObject({ originKind: null, hasThumbnail: false });
    expect(database.faceThumbnail(first!.id)).toEqual(thumbnail);
    expect(database.faceThumbnail(second!.id)).toBeUndefined();
  });

  it('never gives a new face the id of a deleted one still in the index files', async () => {
    const database = await openDb();
    const ids = await seed(database);
    const highest = Math.max(...database.listFaces(ids.at(-1)!).map((face) => face.id));
    await database.write((writer) => writer.deleteFace(highest));
    await database.compact();
    const { result: added } = await database.write((writer) => writer.addFace(ids[0]!, syntheticFace(subjects[0]!, 9, createRandom(310))));
    expect(added).toBeGreaterThan(highest);
    expect(database.search('arc', sampleEmbeddings(subjects[0]!, createRandom(311)).arc!, 200).map((hit) => hit.faceId)).toContain(added);
  });

  it('refuses a write on a database another process wrote since, and the live holder reloads and retries', async () => {
    const serving = await openDb();
    const ids = await seed(serving);
    const other = await openDb();
    await other.write((writer) => writer.addFace(ids[0]!, syntheticFace(subjects[0]!, 7, createRandom(312))));
    const error = await rejection(serving.write((writer) => writer.deleteFace(serving.listFaces(ids[1]!)[0]!.id)));
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('another process') });
    expect(serving.isStale()).toBe(true);

    const logger = createRecordingLogger();
    const live = await startLiveFaceDatabase({ dataDir, open: () => openDb(), pollMs: 60_000, logger });
    open.push(live);
    await other.write((writer) => writer.addFace(ids[0]!, syntheticFace(subjects[0]!, 8, createRandom(313))));
    const { facesDeleted } = await live.write((writer) => writer.deleteFace(live.current().listFaces(ids[1]!)[0]!.id));
    expect(facesDeleted).toBe(1);
    expect(logger.lines.map((line) => line.message)).toContain('face database switched');
    expect(live.current().info()).toMatchObject({ faceCount: subjects.length * 3 + 2 - 1 });
  });
});
