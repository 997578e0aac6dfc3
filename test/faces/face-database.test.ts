import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import hnswlib from 'hnswlib-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { openFaceDatabase, type FaceDatabase, type OpenFaceDatabaseOptions } from '../../src/faces/index.js';
import { createLogger, createRecordingLogger, silentLogger, type LogLine } from '../../src/logger.js';
import { TEST_MODELS, TEST_PROFILE, createRandom, sampleEmbeddings, syntheticFace, syntheticPerformers } from './synthetic.js';

let dataDir: string;
const open: FaceDatabase[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'faces-db-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((database) => database.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

function options(overrides: Partial<OpenFaceDatabaseOptions> = {}): OpenFaceDatabaseOptions {
  return { dataDir, profile: TEST_PROFILE, models: TEST_MODELS, ...overrides };
}

async function openDb(overrides: Partial<OpenFaceDatabaseOptions> = {}, logger = silentLogger): Promise<FaceDatabase> {
  const database = await openFaceDatabase(options(overrides), logger);
  open.push(database);
  return database;
}

async function closeDb(database: FaceDatabase): Promise<void> {
  open.splice(open.indexOf(database), 1);
  await database.close();
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isSenseError(error)) throw new Error(`expected a SenseError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('face database', () => {
  it('opens an empty data dir as an empty database that searches to nothing', async () => {
    const database = await openDb();
    expect(database.info()).toMatchObject({ profile: TEST_PROFILE, models: TEST_MODELS, performerCount: 0, faceCount: 0 });
    expect(database.search('arc', sampleEmbeddings(syntheticPerformers(1, 1)[0]!, createRandom(1)).arc!, 10)).toEqual([]);
    expect(database.listPerformers()).toEqual([]);
    expect(database.hasFaceSource('anything')).toBe(false);
    expect(readdirSync(dataDir)).toEqual(['performers.db']);
  });

  it('finds the enrolled performer first after reopening, with aliases and stash ids', async () => {
    const subjects = syntheticPerformers(40, 11);
    const random = createRandom(12);
    const first = await openDb();
    const { result: ids, facesAdded, performersAdded } = await first.write((writer) =>
      subjects.map((subject) => {
        const id = writer.upsertPerformer(subject.performer);
        for (let n = 0; n < 5; n++) writer.addFace(id, syntheticFace(subject, n, random));
        return id;
      }),
    );
    expect({ facesAdded, performersAdded }).toEqual({ facesAdded: 200, performersAdded: 40 });
    await closeDb(first);

    const database = await openDb();
    expect(database.info()).toMatchObject({ performerCount: 40, faceCount: 200 });
    for (const model of TEST_MODELS) {
      subjects.forEach((subject, i) => {
        const hits = database.search(model.name, sampleEmbeddings(subject, random)[model.name]!, 10);
        expect(hits).toHaveLength(10);
        expect(hits[0]!.performerId).toBe(ids[i]);
        expect(hits.map((hit) => hit.distance)).toEqual([...hits.map((hit) => hit.distance)].sort((a, b) => a - b));
      });
    }
    const record = database.getPerformers([ids[3]!, 'no-such-performer']);
    expect([...record.keys()]).toEqual([ids[3]]);
    expect(record.get(ids[3]!)).toEqual({
      id: ids[3],
      name: 'p performer 3',
      aliases: ['p-alias-3'],
      stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: 'p-11-3' }],
      country: null,
      imageUrl: null,
      faceCount: 5,
    });
    expect(database.listPerformers({ limit: 3, offset: 1 }).map((performer) => performer.name)).toEqual([
      'p performer 1',
      'p performer 10',
      'p performer 11',
    ]);
    expect(database.hasFaceSource('p-11-3#4')).toBe(true);
  });

  it('caps k to the number of faces', async () => {
    const [subject] = syntheticPerformers(1, 3);
    const database = await openDb();
    await database.write((writer) => {
      const id = writer.upsertPerformer(subject!.performer);
      for (let n = 0; n < 3; n++) writer.addFace(id, syntheticFace(subject!, n, createRandom(n)));
    });
    expect(database.search('facenet', sampleEmbeddings(subject!, createRandom(9)).facenet!, 100)).toHaveLength(3);
  });

  it('does not enrol the same source twice for a performer', async () => {
    const [subject] = syntheticPerformers(1, 21);
    const random = createRandom(22);
    const database = await openDb();
    const first = await database.write((writer) => {
      const id = writer.upsertPerformer(subject!.performer);
      return [writer.addFace(id, syntheticFace(subject!, 0, random)), writer.addFace(id, syntheticFace(subject!, 0, random))];
    });
    expect(first.result[0]).toEqual(expect.any(Number));
    expect(first.result[1]).toBeUndefined();
    const again = await database.write((writer) => {
      const id = writer.upsertPerformer(subject!.performer);
      return { known: writer.hasFace(id, syntheticFace(subject!, 0, random).sourceHash), added: writer.addFace(id, syntheticFace(subject!, 0, random)) };
    });
    expect(again).toMatchObject({ result: { known: true, added: undefined }, facesAdded: 0, performersAdded: 0 });
    await closeDb(database);
    const reopened = await openDb();
    expect(reopened.info()).toMatchObject({ performerCount: 1, faceCount: 1 });
    expect(reopened.search('arc', sampleEmbeddings(subject!, random).arc!, 10)).toHaveLength(1);
  });

  it('merges a performer found by id, by stash id, or by name when no stash id is given', async () => {
    const database = await openDb();
    const { result } = await database.write((writer) => {
      const jane = writer.upsertPerformer({ id: 'jane', name: 'Jane Doe', aliases: ['JD'], stashIds: [{ endpoint: 'stashdb', stashId: 'j-1' }] });
      const byStashId = writer.upsertPerformer({ name: 'Jane D.', stashIds: [{ endpoint: 'stashdb', stashId: 'j-1' }, { endpoint: 'fansdb', stashId: 'f-9' }], country: 'CA' });
      const byName = writer.upsertPerformer({ name: 'Jane D.', aliases: ['Janie'] });
      const otherJane = writer.upsertPerformer({ name: 'Jane D.', stashIds: [{ endpoint: 'stashdb', stashId: 'j-2' }] });
      const byId = writer.upsertPerformer({ id: 'jane', name: 'Jane D.', imageUrl: 'https://img/jane.jpg' });
      return { jane, byStashId, byName, otherJane, byId };
    });
    expect(result).toMatchObject({ jane: 'jane', byStashId: 'jane', byName: 'jane', byId: 'jane' });
    expect(result.otherJane).not.toBe('jane');
    expect(database.getPerformers(['jane']).get('jane')).toEqual({
      id: 'jane',
      name: 'Jane D.',
      aliases: ['JD', 'Jane Doe', 'Janie'],
      stashIds: [
        { endpoint: 'fansdb', stashId: 'f-9' },
        { endpoint: 'stashdb', stashId: 'j-1' },
      ],
      country: 'CA',
      imageUrl: 'https://img/jane.jpg',
      faceCount: 0,
    });
    expect(database.info().performerCount).toBe(2);
  });

  it('refuses a database built with another profile and says how to fix it', async () => {
    await closeDb(await openDb({ profile: 'stash-sense' }));
    const error = await rejection(openFaceDatabase(options({ profile: 'embedded' }), silentLogger));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('built with model profile "stash-sense"');
    expect(error.message).toContain('MODEL_PROFILE=stash-sense');
    expect(error.message).toContain('rebuild');
  });

  it('refuses a database whose models have other dims', async () => {
    await closeDb(await openDb());
    const error = await rejection(openFaceDatabase(options({ models: [{ name: 'arc', dims: 512 }, { name: 'facenet', dims: 64 }] }), silentLogger));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('arc 128-d');
    expect(error.message).toContain('arc 512-d');
  });

  it('refuses a performers.db that is not ours instead of writing into it', async () => {
    const foreign = new Sqlite(join(dataDir, 'performers.db'));
    foreign.exec('CREATE TABLE performers (id INTEGER PRIMARY KEY, name TEXT)');
    foreign.close();
    const error = await rejection(openFaceDatabase(options(), silentLogger));
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('not a Stash Sense face database') });
  });

  it('changes its version on every committed write and keeps it when a write fails', async () => {
    const [subject] = syntheticPerformers(1, 31);
    const database = await openDb();
    const versions = [database.info().version];
    await database.write((writer) => writer.upsertPerformer(subject!.performer));
    versions.push(database.info().version);
    await database.write((writer) => writer.addFace(writer.upsertPerformer(subject!.performer), syntheticFace(subject!, 0, createRandom(1))));
    versions.push(database.info().version);
    expect(new Set(versions).size).toBe(3);

    const filesBefore = readdirSync(dataDir).sort();
    const error = await rejection(
      database.write(async (writer) => {
        const id = writer.upsertPerformer({ name: 'Someone New' });
        writer.addFace(id, syntheticFace(subject!, 1, createRandom(2)));
        await new Promise((resolve) => setTimeout(resolve, 5));
        writer.addFace(id, { ...syntheticFace(subject!, 2, createRandom(3)), embeddings: { arc: new Float32Array(128).fill(1), facenet: new Float32Array(3) } });
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('"facenet" embedding has 64 dims, not 3') });
    expect(database.info()).toMatchObject({ version: versions[2], performerCount: 1, faceCount: 1 });
    expect(database.listPerformers().map((performer) => performer.name)).toEqual(['p performer 0']);
    expect(database.search('arc', sampleEmbeddings(subject!, createRandom(4)).arc!, 10)).toHaveLength(1);
    expect(readdirSync(dataDir).sort()).toEqual(filesBefore);
  });

  it('never returns a face from a write that has not committed yet', async () => {
    const [known, incoming] = syntheticPerformers(2, 41);
    let database: FaceDatabase | undefined;
    let watching = false;
    const duringWrite: number[][] = [];
    const probe = sampleEmbeddings(incoming!, createRandom(42)).arc!;
    // The index already holds the new points when this line is logged; the database has not committed them.
    const logger = createLogger({
      level: 'debug',
      sink: (line: LogLine) => {
        if (line.message === 'index points added' && watching && database) duringWrite.push(database.search('arc', probe, 50).map((hit) => hit.faceId));
      },
    });
    database = await openDb({}, logger);
    await database.write((writer) => writer.addFace(writer.upsertPerformer(known!.performer), syntheticFace(known!, 0, createRandom(43))));
    watching = true;
    const { result: newFaces } = await database.write((writer) => {
      const id = writer.upsertPerformer(incoming!.performer);
      return [0, 1, 2].map((n) => writer.addFace(id, syntheticFace(incoming!, n, createRandom(44 + n)))!);
    });
    expect(duringWrite.length).toBeGreaterThan(0);
    for (const faceIds of duringWrite) expect(faceIds).toHaveLength(1);
    expect(database.search('arc', probe, 50).map((hit) => hit.faceId).sort()).toEqual([...newFaces, ...duringWrite[0]!].sort());
  });

  it('queues writes so each commits whole, and reads see only committed data', async () => {
    const subjects = syntheticPerformers(4, 51);
    const database = await openDb();
    let seenInside = -1;
    const writes = subjects.map((subject, i) =>
      database.write(async (writer) => {
        const id = writer.upsertPerformer(subject.performer);
        await new Promise((resolve) => setTimeout(resolve, 2));
        seenInside = database.info().performerCount;
        expect(database.getPerformers([id]).size).toBe(0);
        return writer.addFace(id, syntheticFace(subject, i, createRandom(i)));
      }),
    );
    await Promise.all(writes);
    expect(seenInside).toBe(3);
    expect(database.info()).toMatchObject({ performerCount: 4, faceCount: 4 });
  });

  it('rejects a search with an unknown model or the wrong dims', async () => {
    const database = await openDb();
    expect(() => database.search('nope', new Float32Array(128), 5)).toThrow(/unknown embedding model "nope"/);
    expect(() => database.search('arc', new Float32Array(64).fill(1), 5)).toThrow(/128 dims, not 64/);
  });

  it('adopts prebuilt index files together with faces added by id', async () => {
    const subjects = syntheticPerformers(5, 61);
    const random = createRandom(62);
    const faces = subjects.flatMap((subject, s) => [0, 1].map((n) => ({ subject, s, label: 1000 + s * 2 + n, face: syntheticFace(subject, n, random) })));
    const sources = TEST_MODELS.map(({ name, dims }) => {
      const index = new hnswlib.HierarchicalNSW('cosine', dims);
      index.initIndex(faces.length);
      for (const { label, face } of faces) index.addPoint(Array.from(face.embeddings[name]!), label);
      const path = join(dataDir, `prebuilt-${name}.bin`);
      index.writeIndexSync(path);
      return { name, path };
    });
    const database = await openDb();
    await database.write((writer) => {
      const ids = subjects.map((subject) => writer.upsertPerformer(subject.performer));
      for (const { s, label, face } of faces) writer.addIndexedFace(ids[s]!, label, face);
      for (const { name, path } of sources) writer.adoptIndexFile(name, path);
    });
    await closeDb(database);
    const reopened = await openDb();
    expect(reopened.info().faceCount).toBe(10);
    const hits = reopened.search('facenet', sampleEmbeddings(subjects[2]!, random).facenet!, 2);
    expect(hits.map((hit) => hit.faceId).sort()).toEqual([1004, 1005]);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('prebuilt'))).toEqual([]);
    // Enrolling on top of an adopted index continues from the highest id.
    const { result } = await reopened.write((writer) => writer.addFace(writer.upsertPerformer(subjects[0]!.performer), syntheticFace(subjects[0]!, 9, random)));
    expect(result).toBe(1010);
  });

  it('refuses an adopted index whose size does not match the faces and puts the file back', async () => {
    const [subject] = syntheticPerformers(1, 71);
    const index = new hnswlib.HierarchicalNSW('cosine', 128);
    index.initIndex(4);
    index.addPoint(Array.from(sampleEmbeddings(subject!, createRandom(1)).arc!), 1);
    index.addPoint(Array.from(sampleEmbeddings(subject!, createRandom(2)).arc!), 2);
    const path = join(dataDir, 'prebuilt-arc.bin');
    index.writeIndexSync(path);
    const database = await openDb();
    const error = await rejection(
      database.write((writer) => {
        writer.addIndexedFace(writer.upsertPerformer(subject!.performer), 1, syntheticFace(subject!, 0, createRandom(3)));
        writer.adoptIndexFile('arc', path);
        writer.adoptIndexFile('facenet', path);
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('holds 2 vectors but the database has 1 faces') });
    expect(readdirSync(dataDir).sort()).toEqual(['performers.db', 'prebuilt-arc.bin']);
    expect(database.info().faceCount).toBe(0);
  });

  it('adopts index files whose deleted vectors are no faces, and never returns them', async () => {
    const subjects = syntheticPerformers(2, 91);
    const random = createRandom(92);
    const faces = subjects.map((subject, s) => ({ subject, s, label: s, face: syntheticFace(subject, 0, random) }));
    // Labels 2 and 7: vectors an importer keeps in the graph but marks deleted (faces nobody owns).
    const orphans = [2, 7].map((label) => ({ label, face: syntheticFace(subjects[0]!, 5 + label, random) }));
    const sources = TEST_MODELS.map(({ name, dims }) => {
      const index = new hnswlib.HierarchicalNSW('cosine', dims);
      index.initIndex(faces.length + orphans.length);
      for (const { label, face } of [...faces, ...orphans]) index.addPoint(Array.from(face.embeddings[name]!), label);
      for (const { label } of orphans) index.markDelete(label);
      const path = join(dataDir, `prebuilt-${name}.bin`);
      index.writeIndexSync(path);
      return { name, path };
    });
    const database = await openDb();
    await database.write((writer) => {
      const ids = subjects.map((subject) => writer.upsertPerformer(subject.performer));
      for (const { s, label, face } of faces) writer.addIndexedFace(ids[s]!, label, face);
      for (const { name, path } of sources) writer.adoptIndexFile(name, path);
    });
    expect(database.info().faceCount).toBe(2);
    const hits = database.search('facenet', orphans[1]!.face.embeddings.facenet!, 10);
    expect(hits.map((hit) => hit.faceId).sort()).toEqual([0, 1]);
    await closeDb(database);
    const reopened = await openDb();
    expect(reopened.search('arc', orphans[0]!.face.embeddings.arc!, 10).map((hit) => hit.faceId).sort()).toEqual([0, 1]);
    await closeDb(reopened);
  });

  it('refuses an adopted index with a live vector that is no face', async () => {
    const [subject] = syntheticPerformers(1, 95);
    const random = createRandom(96);
    const index = new hnswlib.HierarchicalNSW('cosine', 128);
    index.initIndex(2);
    index.addPoint(Array.from(sampleEmbeddings(subject!, random).arc!), 5);
    index.addPoint(Array.from(sampleEmbeddings(subject!, random).arc!), 6);
    index.markDelete(5);
    const path = join(dataDir, 'prebuilt-arc.bin');
    index.writeIndexSync(path);
    const database = await openDb();
    const error = await rejection(
      database.write((writer) => {
        writer.addIndexedFace(writer.upsertPerformer(subject!.performer), 5, syntheticFace(subject!, 0, random));
        writer.adoptIndexFile('arc', path);
        writer.adoptIndexFile('facenet', path);
      }),
    );
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('holds label 6, which is no face') });
    expect(database.info().faceCount).toBe(0);
  });

  it('refuses an index file of other dims instead of loading garbage', async () => {
    const [subject] = syntheticPerformers(1, 81);
    const database = await openDb();
    await database.write((writer) => writer.addFace(writer.upsertPerformer(subject!.performer), syntheticFace(subject!, 0, createRandom(1))));
    expect(await database.compact()).toEqual({ compacted: true });
    await closeDb(database);
    const arcFile = readdirSync(dataDir).find((name) => name.startsWith('arc.'))!;
    const wrong = new hnswlib.HierarchicalNSW('cosine', 64);
    wrong.initIndex(1);
    wrong.addPoint(Array.from(sampleEmbeddings(subject!, createRandom(2)).facenet!), 1);
    wrong.writeIndexSync(join(dataDir, arcFile));
    const error = await rejection(openFaceDatabase(options(), silentLogger));
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('not a valid 128-d index') });
  });

  it('removes stray index files left by an interrupted write when it opens', async () => {
    await closeDb(await openDb());
    writeFileSync(join(dataDir, 'arc.20260101T000000000Z-0badf00d.hnsw.tmp'), 'partial');
    writeFileSync(join(dataDir, 'facenet.20260101T000000000Z-0badf00d.hnsw'), 'orphan');
    writeFileSync(join(dataDir, 'notes.txt'), 'not ours');
    const logger = createRecordingLogger();
    await openDb({}, logger);
    expect(readdirSync(dataDir).sort()).toEqual(['notes.txt', 'performers.db']);
    expect(logger.lines.some((line) => line.message === 'stray index files removed')).toBe(true);
  });
});
