import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { createRecordingLogger, silentLogger } from '../../src/logger.js';
import { STATE_DATABASE_FILE, STATE_SCHEMA_VERSION, openStateDatabase } from '../../src/state/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

describe('state database', () => {
  let dir: { path: string; remove(): void };
  beforeEach(() => {
    dir = makeTempDir('state-db-');
  });
  afterEach(() => dir.remove());

  it('creates stash_sense.db in WAL mode with foreign keys on', async () => {
    const state = await openStateDatabase(dir.path, silentLogger);
    try {
      expect(existsSync(join(dir.path, STATE_DATABASE_FILE))).toBe(true);
      expect(state.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(state.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(state.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(state.db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
    } finally {
      await state.close();
    }
  });

  it('applies migrations once; re-opening keeps the data and migrates nothing', async () => {
    const first = createRecordingLogger();
    const state = await openStateDatabase(dir.path, first);
    state.saveIdentification({ kind: 'scene', targetId: '1', databaseVersion: 'v1', result: { persons: [] }, createdAt: '2026-01-01T00:00:00.000Z' });
    await state.close();
    expect(first.lines.filter((line) => line.message === 'state database migrated')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ from: 0, to: STATE_SCHEMA_VERSION }) }),
    ]);

    const second = createRecordingLogger();
    const reopened = await openStateDatabase(dir.path, second);
    try {
      expect(second.lines.some((line) => line.message === 'state database migrated')).toBe(false);
      expect(reopened.lastIdentification('scene', '1')?.result).toEqual({ persons: [] });
    } finally {
      await reopened.close();
    }
  });

  it('refuses a database written by a newer Stash Sense and leaves it untouched', async () => {
    const state = await openStateDatabase(dir.path, silentLogger);
    state.db.pragma(`user_version = ${STATE_SCHEMA_VERSION + 1}`);
    await state.close();

    const error = await openStateDatabase(dir.path, silentLogger).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SenseError);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`schema version ${STATE_SCHEMA_VERSION + 1}, newer`) });
    const raw = new Sqlite(join(dir.path, STATE_DATABASE_FILE), { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION + 1);
    raw.close();
  });

  it("refuses the Python sidecar's stash_sense.db instead of writing into it", async () => {
    const raw = new Sqlite(join(dir.path, STATE_DATABASE_FILE));
    raw.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY); INSERT INTO schema_version VALUES (6);');
    raw.close();

    await expect(openStateDatabase(dir.path, silentLogger)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Python') });
    const after = new Sqlite(join(dir.path, STATE_DATABASE_FILE), { readonly: true });
    expect(after.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all()).toEqual([{ name: 'schema_version' }]);
    after.close();
  });

  it('keeps one identification per target, counting revisions, and tells which targets a batch can skip', async () => {
    const state = await openStateDatabase(dir.path, silentLogger);
    try {
      const at = '2026-01-01T00:00:00.000Z';
      state.saveIdentification({ kind: 'scene', targetId: '1', databaseVersion: 'v1', result: { persons: 1 }, createdAt: at });
      state.saveIdentification({ kind: 'scene', targetId: '2', databaseVersion: 'v1', result: { persons: 0 }, createdAt: at });
      state.saveIdentification({ kind: 'image', targetId: '3', databaseVersion: 'v2', result: {}, createdAt: at });
      const again = state.saveIdentification({ kind: 'scene', targetId: '1', databaseVersion: 'v2', result: { persons: 2 }, createdAt: '2026-01-02T00:00:00.000Z' });

      expect(again).toMatchObject({ revision: 2, databaseVersion: 'v2', result: { persons: 2 } });
      expect(state.lastIdentification('scene', '1')).toEqual(again);
      expect(state.lastIdentification('gallery', '1')).toBeUndefined();
      expect(state.targetsIdentifiedWith('scene', 'v2', ['1', '2', '3', '4'])).toEqual(new Set(['1']));
      expect(state.targetsIdentifiedWith('scene', 'v1', ['1', '2', '3', '4'])).toEqual(new Set(['2']));
    } finally {
      await state.close();
    }
  });

  it('rolls back everything a transaction wrote when it throws', async () => {
    const state = await openStateDatabase(dir.path, silentLogger);
    try {
      expect(() =>
        state.transaction((tx) => {
          tx.saveIdentification({ kind: 'scene', targetId: '9', databaseVersion: 'v1', result: {}, createdAt: '2026-01-01T00:00:00.000Z' });
          tx.upsertRecommendation({ type: 'scene_files', targets: [{ type: 'scene', id: '9' }], payload: {}, confidence: 1, evidence: {} });
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(state.lastIdentification('scene', '9')).toBeUndefined();
      expect(state.listRecommendations({ targetId: '9' }).totalCount).toBe(0);
    } finally {
      await state.close();
    }
  });
});
