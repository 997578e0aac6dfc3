// What upstream performer changes remember per stash-box: the values the user has settled with, what was last
// examined (so an incremental run skips performers nothing changed on), and which fields are watched.
import type { Database } from 'better-sqlite3';
import { fromJsonColumn, toJsonColumn } from './json.js';

export interface PerformerSnapshotKey {
  endpoint: string;
  stashId: string;
  performerId: string;
}

export interface PerformerSnapshot {
  /** Field → upstream value the user has settled with; null until the first settle. */
  baseline: Record<string, string[]> | null;
  /** An opaque marker of the state last examined (both sides' update times). */
  examined: string | null;
}

export interface StashBoxSnapshotStore {
  getPerformerSnapshot(key: PerformerSnapshotKey): PerformerSnapshot | undefined;
  /** Records what was examined; `baseline` replaces the stored one when given, and is kept when undefined. */
  recordPerformerSnapshot(key: PerformerSnapshotKey, snapshot: { examined?: string | null; baseline?: Record<string, string[]> }): void;
  /** Forgets what was examined for every performer of an endpoint, so the next incremental run re-examines them. */
  clearExamined(endpoint: string): void;
  watchedFields(endpoint: string): string[] | undefined;
  /** `null` goes back to the default set. */
  setWatchedFields(endpoint: string, fields: readonly string[] | null): void;
}

type SnapshotRow = { baseline: string | null; examined: string | null };

export function createStashBoxSnapshotStore(db: Database, now: () => Date): StashBoxSnapshotStore {
  const get = db.prepare<[string, string, string], SnapshotRow>(
    'SELECT baseline, examined FROM stashbox_performer_snapshots WHERE endpoint = ? AND stash_id = ? AND performer_id = ?',
  );
  const upsert = db.prepare<[string, string, string, string | null, string | null, string]>(`
    INSERT INTO stashbox_performer_snapshots (endpoint, stash_id, performer_id, baseline, examined, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (endpoint, stash_id, performer_id) DO UPDATE SET baseline = excluded.baseline, examined = excluded.examined, updated_at = excluded.updated_at`);
  const clear = db.prepare<[string]>('UPDATE stashbox_performer_snapshots SET examined = NULL WHERE endpoint = ?');
  const getFields = db.prepare<[string], { fields: string }>('SELECT fields FROM stashbox_watched_fields WHERE endpoint = ?');
  const setFields = db.prepare<[string, string, string]>(`
    INSERT INTO stashbox_watched_fields (endpoint, fields, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (endpoint) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at`);
  const deleteFields = db.prepare<[string]>('DELETE FROM stashbox_watched_fields WHERE endpoint = ?');

  const read = (key: PerformerSnapshotKey): PerformerSnapshot | undefined => {
    const row = get.get(key.endpoint, key.stashId, key.performerId);
    return row && { baseline: (fromJsonColumn(row.baseline) as Record<string, string[]> | undefined) ?? null, examined: row.examined };
  };
  return {
    getPerformerSnapshot: read,
    recordPerformerSnapshot(key, snapshot) {
      const current = read(key);
      const baseline = snapshot.baseline !== undefined ? snapshot.baseline : (current?.baseline ?? null);
      const examined = snapshot.examined !== undefined ? snapshot.examined : (current?.examined ?? null);
      upsert.run(key.endpoint, key.stashId, key.performerId, toJsonColumn(baseline), examined, now().toISOString());
    },
    clearExamined: (endpoint) => void clear.run(endpoint),
    watchedFields(endpoint) {
      const row = getFields.get(endpoint);
      return row ? (JSON.parse(row.fields) as string[]) : undefined;
    },
    setWatchedFields(endpoint, fields) {
      if (fields === null) deleteFields.run(endpoint);
      else setFields.run(endpoint, JSON.stringify([...fields]), now().toISOString());
    },
  };
}
