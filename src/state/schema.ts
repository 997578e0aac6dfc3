// The user-state database's schema: migrations, pragmas and the checks that refuse a file we must not touch.
import type { Database } from 'better-sqlite3';
import { SenseError } from '../errors.js';

export const STATE_DATABASE_FILE = 'stash_sense.db';

/** `PRAGMA application_id` ('SSUS'): tells our file apart from the Python sidecar's stash_sense.db of the same name. */
const APPLICATION_ID = 0x53535553;

/** A migration upgrades schema version i to i + 1 (index i); `user_version` holds the version reached. */
export type Migration = string | ((db: Database) => void);

export const migrations: readonly Migration[] = [
  `
  CREATE TABLE identifications (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scene', 'image', 'gallery')),
    target_id TEXT NOT NULL,
    database_version TEXT NOT NULL,
    result TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (kind, target_id)
  );
  CREATE INDEX identifications_version ON identifications (kind, database_version);

  CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL CHECK (type IN ('scene_performer', 'duplicate_performer', 'scene_files', 'duplicate_scene')),
    key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'dismissed')),
    permanent INTEGER NOT NULL DEFAULT 0 CHECK (permanent IN (0, 1)),
    confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    payload TEXT NOT NULL,
    evidence_hash TEXT NOT NULL,
    resolution TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    resolved_at TEXT,
    UNIQUE (type, key)
  );
  CREATE INDEX recommendations_listing ON recommendations (status, type, confidence DESC, id DESC);
  CREATE INDEX recommendations_by_confidence ON recommendations (confidence DESC, id DESC);
  CREATE TABLE recommendation_targets (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, position)
  ) WITHOUT ROWID;
  CREATE INDEX recommendation_targets_target ON recommendation_targets (target_id, target_type);

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    input TEXT NOT NULL,
    result TEXT,
    error_code TEXT,
    error_message TEXT,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER,
    progress_current TEXT,
    rate_per_min REAL,
    eta_sec REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX jobs_status ON jobs (status, id);
  CREATE TABLE job_steps (
    job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done')),
    result TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (job_id, key)
  );
  `,
  // Version 2: upstream performer changes (issue 12). SQLite cannot widen a CHECK in place, so the recommendations
  // table is rebuilt; its targets are copied first and dropped before it, so no ON DELETE CASCADE fires on the way.
  `
  CREATE TABLE recommendations_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL CHECK (type IN ('scene_performer', 'duplicate_performer', 'scene_files', 'duplicate_scene', 'upstream_performer_changes')),
    key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'dismissed')),
    permanent INTEGER NOT NULL DEFAULT 0 CHECK (permanent IN (0, 1)),
    confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    payload TEXT NOT NULL,
    evidence_hash TEXT NOT NULL,
    resolution TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    resolved_at TEXT,
    UNIQUE (type, key)
  );
  INSERT INTO recommendations_v2 SELECT id, type, key, status, permanent, confidence, payload, evidence_hash, resolution, created_at, updated_at, last_seen_at, resolved_at FROM recommendations;
  CREATE TABLE recommendation_targets_v2 (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations_v2 (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, position)
  ) WITHOUT ROWID;
  INSERT INTO recommendation_targets_v2 SELECT recommendation_id, position, target_type, target_id FROM recommendation_targets;
  DROP TABLE recommendation_targets;
  DROP TABLE recommendations;
  ALTER TABLE recommendations_v2 RENAME TO recommendations;
  ALTER TABLE recommendation_targets_v2 RENAME TO recommendation_targets;
  CREATE INDEX recommendations_listing ON recommendations (status, type, confidence DESC, id DESC);
  CREATE INDEX recommendations_by_confidence ON recommendations (confidence DESC, id DESC);
  CREATE INDEX recommendation_targets_target ON recommendation_targets (target_id, target_type);

  -- Per stash-box and linked performer: the upstream values the user has settled with (JSON; NULL until the
  -- first run with no differences or an accept) and the state last examined (stash-box updated | Stash updated_at).
  CREATE TABLE stashbox_performer_snapshots (
    endpoint TEXT NOT NULL,
    stash_id TEXT NOT NULL,
    performer_id TEXT NOT NULL,
    baseline TEXT,
    examined TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, stash_id, performer_id)
  ) WITHOUT ROWID;
  -- Which performer fields upstream changes watch, per stash-box; no row means the default set.
  CREATE TABLE stashbox_watched_fields (
    endpoint TEXT PRIMARY KEY,
    fields TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const STATE_SCHEMA_VERSION = migrations.length;

export function configureConnection(db: Database, busyTimeoutMs: number, synchronous: 'full' | 'normal'): void {
  db.pragma('journal_mode = WAL');
  // FULL by default, not NORMAL: a job records a step's intent before an external action, and that record should
  // survive a power cut too, or a resumed job could not tell that the action may already have happened.
  db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}

/**
 * Brings the schema up to `migrationList.length`, one transaction per migration, so a failed migration leaves the
 * file at the last version that completed. Returns the version found on disk.
 */
export function migrateStateSchema(db: Database, file: string, migrationList: readonly Migration[] = migrations): number {
  const target = migrationList.length;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (applicationId !== APPLICATION_ID) {
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as { name: string }[];
    if (tables.length > 0 || current !== 0) {
      const python = tables.some((table) => table.name === 'schema_version');
      throw new SenseError(
        'CONFLICT',
        python
          ? `${file} was written by the Python stash-sense sidecar; move it away so Stash Sense can create its own user-state database there`
          : `${file} is not a Stash Sense user-state database; move it away or point DATA_DIR elsewhere`,
      );
    }
  }
  if (current > target) {
    throw new SenseError(
      'CONFLICT',
      `${file} has schema version ${current}, newer than this Stash Sense understands (${target}); upgrade Stash Sense or restore an older copy`,
    );
  }
  // Each migration re-reads the version inside its IMMEDIATE transaction: two processes opening a fresh file at
  // once must not both apply it.
  for (;;) {
    const finished = db
      .transaction(() => {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version >= target) return true;
        const migration = migrationList[version]!;
        if (typeof migration === 'string') db.exec(migration);
        else migration(db);
        if (version === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${version + 1}`);
        return false;
      })
      .immediate();
    if (finished) return current;
  }
}
