// A write killed with SIGKILL at any moment must leave the previous database, whole and consistent.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Sqlite from 'better-sqlite3';
import hnswlib from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFaceDatabase, type FaceDatabase, type FaceDatabaseInfo, type PerformerRecord } from '../../src/faces/index.js';
import { silentLogger } from '../../src/logger.js';
import { TEST_MODELS, TEST_PROFILE, createRandom, sampleEmbeddings, syntheticFace, syntheticPerformers } from './synthetic.js';

const fixture = resolve('test/faces/fixtures/write-batch.ts');
const deleteFixture = resolve('test/faces/fixtures/delete-batch.ts');
const DELETE_PERFORMERS = 20;
const BATCH_PERFORMERS = 100;
const BATCH_FACES_PER_PERFORMER = 25;

let root: string;
let baselineDir: string;
let baseline: Snapshot;
const subjects = syntheticPerformers(30, 101, 'base');
const probes = subjects.slice(0, 10).map((subject, i) => sampleEmbeddings(subject, createRandom(200 + i)));

interface Snapshot {
  info: Omit<FaceDatabaseInfo, 'updatedAt'>;
  performers: PerformerRecord[];
  hits: number[][];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'faces-crash-'));
  baselineDir = join(root, 'baseline');
  const database = await openFaceDatabase({ dataDir: baselineDir, profile: TEST_PROFILE, models: TEST_MODELS }, silentLogger);
  const random = createRandom(102);
  await database.write((writer) => {
    for (const subject of subjects) {
      const id = writer.upsertPerformer(subject.performer);
      for (let n = 0; n < 4; n++) writer.addFace(id, syntheticFace(subject, n, random));
    }
  });
  // The baseline has index files, so the killed write's compaction replaces them.
  await database.compact();
  baseline = snapshot(database);
  await database.close();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function snapshot(database: FaceDatabase): Snapshot {
  const { updatedAt: _updatedAt, ...info } = database.info();
  return {
    info,
    performers: database.listPerformers({ limit: 10_000 }),
    hits: probes.flatMap((probe) => TEST_MODELS.map(({ name }) => database.search(name, probe[name]!, 20).map((hit) => hit.faceId))),
  };
}

type KillAt = { afterLine: string; delayMs: number; nth: number };

/** Runs the batch writer on a copy of the baseline and SIGKILLs it `delayMs` after its nth `afterLine` log line. */
async function killDuringWrite(
  dataDir: string,
  killAt: KillAt,
  args = [fixture, dataDir, '7', String(BATCH_PERFORMERS), String(BATCH_FACES_PER_PERFORMER)],
): Promise<{ lastLine: string; exitSignal: string | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<string | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  let lastLine = '';
  let seen = 0;
  try {
    for await (const text of createInterface({ input: child.stdout })) {
      const { message } = JSON.parse(text) as { message: string };
      lastLine = message;
      if (message === killAt.afterLine && ++seen === killAt.nth) {
        if (killAt.delayMs > 0) await new Promise((done) => setTimeout(done, killAt.delayMs));
        break;
      }
    }
  } finally {
    child.kill('SIGKILL');
  }
  return { lastLine, exitSignal: await exited };
}

/**
 * What the files say, read without our code: the index files the database names, plus the vectors pending in
 * face_vectors, minus the ids in face_tombstones, are exactly its faces.
 */
function checkFilesAgree(dataDir: string): void {
  const db = new Sqlite(join(dataDir, 'performers.db'), { readonly: true });
  const faceIds = (db.prepare('SELECT id FROM faces ORDER BY id').pluck().all() as number[]).join(',');
  const indexFiles = JSON.parse(db.prepare(`SELECT value FROM metadata WHERE key = 'index_files'`).pluck().get() as string) as Record<string, string>;
  const tombstones = new Set(db.prepare('SELECT face_id FROM face_tombstones').pluck().all() as number[]);
  const pending = (model: string) => db.prepare('SELECT face_id FROM face_vectors WHERE model = ?').pluck().all(model) as number[];
  for (const { name, dims } of TEST_MODELS) {
    const index = new hnswlib.HierarchicalNSW('cosine', dims);
    index.readIndexSync(join(dataDir, indexFiles[name]!));
    // Deleted elements (a compacted deletion) stay in the file, marked: they are no faces.
    const live = index.getIdsList().filter((label) => {
      try {
        index.getPoint(label);
        return true;
      } catch {
        return false;
      }
    });
    const labels = new Set([...live, ...pending(name)].filter((label) => !tombstones.has(label)));
    expect([...labels].sort((a, b) => a - b).join(','), `${name} index labels`).toBe(faceIds);
  }
  db.close();
  // A journal SQLite left "cold" (killed before the file changed; its header is zeroed) is harmless and reused.
  const files = readdirSync(dataDir).filter((name) => name !== 'performers.db-journal');
  expect(files.sort()).toEqual(['performers.db', ...Object.values(indexFiles)].sort());
}

describe('a write killed with SIGKILL', () => {
  const cases: (KillAt & { label: string })[] = [
    { label: '15 ms into the write (SQLite rows)', afterLine: 'ready', delayMs: 15, nth: 1 },
    { label: 'with the rows staged, before the index work', afterLine: 'write staged', delayMs: 0, nth: 1 },
    { label: 'while adding points to the second index', afterLine: 'index points added', delayMs: 0, nth: 1 },
    { label: 'with both indexes updated, around COMMIT', afterLine: 'index points added', delayMs: 0, nth: 2 },
    { label: 'after COMMIT, as the compaction starts', afterLine: 'face database written', delayMs: 0, nth: 1 },
    { label: 'between the two compacted index files', afterLine: 'index file written', delayMs: 0, nth: 1 },
    { label: 'after both compacted files, before their COMMIT', afterLine: 'index file written', delayMs: 0, nth: 2 },
    { label: '1 ms after both compacted files (around COMMIT)', afterLine: 'index file written', delayMs: 1, nth: 2 },
    { label: '3 ms after both compacted files (around COMMIT)', afterLine: 'index file written', delayMs: 3, nth: 2 },
    { label: 'after the compaction, before the old files are removed', afterLine: 'face database compacted', delayMs: 0, nth: 1 },
    { label: '250 ms into the write', afterLine: 'ready', delayMs: 250, nth: 1 },
  ];


  it.each(cases)('killed $label, it opens as the old database or, once committed, the whole new one', async (killAt) => {
    const dataDir = join(root, `run-${killAt.afterLine.replace(/\W/g, '-')}-${killAt.nth}-${killAt.delayMs}`);
    cpSync(baselineDir, dataDir, { recursive: true });
    const { lastLine, exitSignal } = await killDuringWrite(dataDir, killAt);
    expect(exitSignal).toBe('SIGKILL');

    const database = await openFaceDatabase({ dataDir, profile: TEST_PROFILE, models: TEST_MODELS }, silentLogger);
    try {
      const after = snapshot(database);
      const committed = after.info.version !== baseline.info.version;
      if (committed) {
        // The kill came after COMMIT: everything of the batch must be there.
        expect(after.info.faceCount).toBe(baseline.info.faceCount + BATCH_PERFORMERS * BATCH_FACES_PER_PERFORMER);
        expect(after.info.performerCount).toBe(baseline.info.performerCount + BATCH_PERFORMERS);
      } else {
        expect(after).toEqual(baseline);
      }
      // Kills before the index work even started can only have found the old database.
      if (killAt.afterLine === 'write staged' || (killAt.afterLine === 'ready' && killAt.delayMs < 50)) expect(committed).toBe(false);
      if (['face database written', 'index file written', 'face database compacted'].includes(killAt.afterLine)) expect(committed).toBe(true);
      for (const model of TEST_MODELS) {
        const hits = database.search(model.name, probes[0]![model.name]!, 10_000);
        if (!committed) expect(hits).toHaveLength(after.info.faceCount);
        const known = database.getPerformers(hits.map((hit) => hit.performerId));
        expect(hits.every((hit) => known.has(hit.performerId))).toBe(true);
      }
    } finally {
      await database.close();
    }
    checkFilesAgree(dataDir);
    expect(lastLine).not.toBe('done');
  });
});

describe('a deletion killed with SIGKILL', () => {
  it.each([
    { label: 'half way through deleting performers', afterLine: 'performer deleted', delayMs: 0, nth: DELETE_PERFORMERS / 2 },
    { label: 'around COMMIT', afterLine: 'performer deleted', delayMs: 5, nth: DELETE_PERFORMERS },
    { label: 'after COMMIT', afterLine: 'face database written', delayMs: 0, nth: 1 },
  ])('killed $label, it opens as the old database or, once committed, without those performers', async (killAt) => {
    const dataDir = join(root, `delete-${killAt.afterLine.replace(/\W/g, '-')}-${killAt.nth}-${killAt.delayMs}`);
    cpSync(baselineDir, dataDir, { recursive: true });
    const { exitSignal } = await killDuringWrite(dataDir, killAt, [deleteFixture, dataDir, String(DELETE_PERFORMERS)]);
    expect(exitSignal).toBe('SIGKILL');
    const database = await openFaceDatabase({ dataDir, profile: TEST_PROFILE, models: TEST_MODELS }, silentLogger);
    try {
      const after = snapshot(database);
      const committed = after.info.version !== baseline.info.version;
      // Half way, the write had 10 more deletions (and pauses) to go; after COMMIT it must have committed.
      if (killAt.nth === DELETE_PERFORMERS / 2) expect(committed).toBe(false);
      if (killAt.afterLine === 'face database written') expect(committed).toBe(true);
      if (committed) {
        expect(after.info.performerCount).toBe(baseline.info.performerCount - DELETE_PERFORMERS);
        expect(after.info.faceCount).toBe(baseline.info.faceCount - DELETE_PERFORMERS * 4);
        const hits = database.search(TEST_MODELS[0]!.name, probes[0]![TEST_MODELS[0]!.name]!, 10_000);
        expect(hits).toHaveLength(after.info.faceCount);
      } else {
        expect(after).toEqual(baseline);
      }
    } finally {
      await database.close();
    }
    checkFilesAgree(dataDir);
  });
});
