import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { installFaceDatabase, openFaceDatabase, type FaceDatabase } from '../../src/faces/index.js';
import { silentLogger } from '../../src/logger.js';
import { TEST_MODELS, TEST_PROFILE, createRandom, sampleEmbeddings, syntheticFace, syntheticPerformers, type SyntheticPerformer } from './synthetic.js';

let root: string;
let dataDir: string;
let stagingDir: string;
const opened: FaceDatabase[] = [];
const oldSubjects = syntheticPerformers(3, 301, 'old');
const newSubjects = syntheticPerformers(5, 302, 'new');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'faces-install-'));
  dataDir = join(root, 'data');
  // Staging inside the data dir keeps it on the same file system, so every move is a rename.
  stagingDir = join(dataDir, '.staging');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.close()));
  rmSync(root, { recursive: true, force: true });
});

async function openAt(dir: string): Promise<FaceDatabase> {
  const database = await openFaceDatabase({ dataDir: dir, profile: TEST_PROFILE, models: TEST_MODELS }, silentLogger);
  opened.push(database);
  return database;
}

async function closeDb(database: FaceDatabase): Promise<void> {
  opened.splice(opened.indexOf(database), 1);
  await database.close();
}

async function build(dir: string, subjects: SyntheticPerformer[]): Promise<string> {
  const database = await openAt(dir);
  const random = createRandom(dir.length);
  await database.write((writer) => {
    for (const subject of subjects) {
      const id = writer.upsertPerformer(subject.performer);
      for (let n = 0; n < 3; n++) writer.addFace(id, syntheticFace(subject, n, random));
    }
  });
  const { version } = database.info();
  await closeDb(database);
  return version;
}

function names(database: FaceDatabase): string[] {
  return database.listPerformers().map((performer) => performer.name);
}

function topPerformerName(database: FaceDatabase, subject: SyntheticPerformer): string | undefined {
  const [hit] = database.search('arc', sampleEmbeddings(subject, createRandom(5)).arc!, 1);
  return hit && database.getPerformers([hit.performerId]).get(hit.performerId)?.name;
}

describe('installing a staged face database', () => {
  it('replaces the old database with the staged one, which then opens and searches', async () => {
    await build(dataDir, oldSubjects);
    const stagedVersion = await build(stagingDir, newSubjects);

    const installed = await installFaceDatabase(stagingDir, dataDir, silentLogger);
    expect(installed).toEqual({ version: stagedVersion, profile: TEST_PROFILE, performerCount: 5, faceCount: 15 });
    expect(readdirSync(stagingDir)).toEqual([]);

    const database = await openAt(dataDir);
    expect(database.info()).toMatchObject({ version: stagedVersion, performerCount: 5, faceCount: 15 });
    expect(names(database)).toEqual(newSubjects.map((subject) => subject.performer.name));
    expect(topPerformerName(database, newSubjects[4]!)).toBe('new performer 4');
    // The old generation's index files went with the old database.
    expect(readdirSync(dataDir).filter((name) => name.endsWith('.hnsw')).every((name) => name.includes(stagedVersion))).toBe(true);
  });

  it('installs into a data dir that has no database yet', async () => {
    const stagedVersion = await build(stagingDir, newSubjects);
    await installFaceDatabase(stagingDir, dataDir, silentLogger);
    expect((await openAt(dataDir)).info().version).toBe(stagedVersion);
  });

  it('leaves an open old database serving its old contents but refusing writes', async () => {
    const oldVersion = await build(dataDir, oldSubjects);
    const old = await openAt(dataDir);
    await build(stagingDir, newSubjects);
    await installFaceDatabase(stagingDir, dataDir, silentLogger);

    expect(old.info().version).toBe(oldVersion);
    expect(topPerformerName(old, oldSubjects[1]!)).toBe('old performer 1');
    const error = await old.write((writer) => writer.upsertPerformer({ name: 'Late' })).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('CONFLICT');
    expect(String(error)).toContain('was replaced');

    const current = await openAt(dataDir);
    expect(names(current)).not.toContain('Late');
    expect(current.info().performerCount).toBe(5);
  });

  it('refuses while the old database is in the middle of a write, and can be retried after it', async () => {
    await build(dataDir, oldSubjects);
    const old = await openAt(dataDir);
    await build(stagingDir, newSubjects);
    const stagedFiles = readdirSync(stagingDir).sort();

    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writing = old.write(async (writer) => {
      writer.upsertPerformer({ name: 'Mid-write' });
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const error = await installFaceDatabase(stagingDir, dataDir, silentLogger).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('CONFLICT');
    expect(String(error)).toContain('being written');
    expect(readdirSync(stagingDir).sort()).toEqual(stagedFiles);

    release();
    await writing;
    expect(names(old)).toContain('Mid-write');
    await closeDb(old);
    await installFaceDatabase(stagingDir, dataDir, silentLogger);
    expect(names(await openAt(dataDir))).not.toContain('Mid-write');
  });

  it('killed before the final rename, leaves the old database, and its next open removes the moved files', async () => {
    const oldVersion = await build(dataDir, oldSubjects);
    await build(stagingDir, newSubjects);
    // The state an install leaves when killed between moving the index files in and renaming performers.db.
    for (const name of readdirSync(stagingDir).filter((file) => file.endsWith('.hnsw'))) renameSync(join(stagingDir, name), join(dataDir, name));

    const database = await openAt(dataDir);
    expect(database.info().version).toBe(oldVersion);
    expect(names(database)).toEqual(oldSubjects.map((subject) => subject.performer.name));
    expect(readdirSync(dataDir).filter((name) => name.endsWith('.hnsw')).every((name) => name.includes(oldVersion))).toBe(true);
  });

  it('refuses a staging dir without a database', async () => {
    const error = await installFaceDatabase(join(root, 'nothing'), dataDir, silentLogger).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('NOT_FOUND');
  });
});
