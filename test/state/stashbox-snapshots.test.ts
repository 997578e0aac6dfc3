import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { STATE_DATABASE_FILE, STATE_SCHEMA_VERSION, openStateDatabase } from '../../src/state/index.js';
import { configureConnection, migrateStateSchema, migrations } from '../../src/state/schema.js';
import { makeTempDir } from '../helpers/fixtures.js';

const temp = makeTempDir('state-stashbox-');
afterEach(() => temp.remove());

describe('upgrading a version 1 state database', () => {
  it('keeps every recommendation and its targets, and then takes upstream performer changes', async () => {
    const file = join(temp.path, STATE_DATABASE_FILE);
    const raw = new Sqlite(file);
    configureConnection(raw, 1000, 'full');
    migrateStateSchema(raw, file, migrations.slice(0, 1));
    raw.prepare(`INSERT INTO recommendations (id, type, key, status, permanent, confidence, payload, evidence_hash, created_at, updated_at, last_seen_at)
      VALUES (7, 'duplicate_performer', 'k', 'dismissed', 1, 1, '{"summary":"s","details":{}}', 'h', 't', 't', 't')`).run();
    raw.prepare(`INSERT INTO recommendation_targets VALUES (7, 0, 'performer', '12'), (7, 1, 'performer', '13')`).run();
    raw.close();

    const state = await openStateDatabase(temp.path, silentLogger);
    try {
      expect(state.db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
      expect(state.getRecommendation('7')).toMatchObject({ type: 'duplicate_performer', status: 'dismissed', permanent: true, targets: [{ type: 'performer', id: '12' }, { type: 'performer', id: '13' }] });
      const { outcome, recommendation } = state.upsertRecommendation({ type: 'upstream_performer_changes', key: 'e|s|1', targets: [{ type: 'performer', id: '1' }], confidence: 1, payload: {}, evidence: {} });
      expect(outcome).toBe('created');
      expect(Number(recommendation.id)).toBeGreaterThan(7);
      expect(state.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      await state.close();
    }
  });
});

describe('stash-box snapshots', () => {
  it('keeps the baseline unless a new one is given, and forgets what was examined on request', async () => {
    const state = await openStateDatabase(temp.path, silentLogger);
    try {
      const key = { endpoint: 'https://stashdb.org/graphql', stashId: 'uuid', performerId: '1' };
      expect(state.getPerformerSnapshot(key)).toBeUndefined();
      state.recordPerformerSnapshot(key, { examined: 'a|b', baseline: { hair_color: ['Blonde'] } });
      state.recordPerformerSnapshot(key, { examined: 'c|d' });
      expect(state.getPerformerSnapshot(key)).toEqual({ examined: 'c|d', baseline: { hair_color: ['Blonde'] } });
      state.clearExamined(key.endpoint);
      expect(state.getPerformerSnapshot(key)).toEqual({ examined: null, baseline: { hair_color: ['Blonde'] } });
      expect(state.watchedFields(key.endpoint)).toBeUndefined();
      state.setWatchedFields(key.endpoint, ['name']);
      expect(state.watchedFields(key.endpoint)).toEqual(['name']);
      state.setWatchedFields(key.endpoint, null);
      expect(state.watchedFields(key.endpoint)).toBeUndefined();
    } finally {
      await state.close();
    }
  });
});
