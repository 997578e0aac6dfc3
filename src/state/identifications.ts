// The last identification of each scene, image and gallery, and the face-database version it was made with.
import type { Database } from 'better-sqlite3';
import { fromJsonColumn, toJsonColumn } from './json.js';

export type IdentificationKind = 'scene' | 'image' | 'gallery';

export interface IdentificationInput {
  kind: IdentificationKind;
  targetId: string;
  /** The face database's version (`FaceDatabaseInfo.version`); a batch skips targets identified with the current one. */
  databaseVersion: string;
  /** The identification result as JSON; an empty result (no faces) is worth saving too, so it is not retried forever. */
  result: unknown;
  createdAt: string;
}

export interface Identification extends IdentificationInput {
  /** How many times this target has been identified; 1 the first time. */
  revision: number;
}

export interface IdentificationStore {
  /** Replaces the target's stored identification (one row per target) and counts the revision up. */
  saveIdentification(input: IdentificationInput): Identification;
  lastIdentification(kind: IdentificationKind, targetId: string): Identification | undefined;
  /** Which of `targetIds` were last identified with `databaseVersion`: the ones a batch can skip. */
  targetsIdentifiedWith(kind: IdentificationKind, databaseVersion: string, targetIds: readonly string[]): Set<string>;
}

interface IdentificationRow {
  kind: IdentificationKind;
  target_id: string;
  database_version: string;
  result: string;
  revision: number;
  created_at: string;
}

export function createIdentificationStore(db: Database): IdentificationStore {
  const save = db.prepare<[string, string, string, string | null, string], IdentificationRow>(`
    INSERT INTO identifications (kind, target_id, database_version, result, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (kind, target_id) DO UPDATE SET
      database_version = excluded.database_version,
      result = excluded.result,
      created_at = excluded.created_at,
      revision = revision + 1
    RETURNING *`);
  const last = db.prepare<[string, string], IdentificationRow>('SELECT * FROM identifications WHERE kind = ? AND target_id = ?');
  // json_each takes the whole id list as one parameter, so a page of 1000 scenes is one statement.
  const identifiedWith = db.prepare<[string, string, string], { target_id: string }>(`
    SELECT target_id FROM identifications
    WHERE kind = ? AND database_version = ? AND target_id IN (SELECT value FROM json_each(?))`);

  return {
    saveIdentification(input) {
      const result = toJsonColumn(input.result ?? null);
      return toIdentification(save.get(input.kind, input.targetId, input.databaseVersion, result, input.createdAt)!);
    },
    lastIdentification(kind, targetId) {
      const row = last.get(kind, targetId);
      return row && toIdentification(row);
    },
    targetsIdentifiedWith(kind, databaseVersion, targetIds) {
      if (targetIds.length === 0) return new Set();
      const rows = identifiedWith.all(kind, databaseVersion, JSON.stringify(targetIds));
      return new Set(rows.map((row) => row.target_id));
    },
  };
}

function toIdentification(row: IdentificationRow): Identification {
  return {
    kind: row.kind,
    targetId: row.target_id,
    databaseVersion: row.database_version,
    result: fromJsonColumn(row.result),
    createdAt: row.created_at,
    revision: row.revision,
  };
}
