// The SQLite side of the face database: schema, migrations and the metadata table.
import type { Database } from 'better-sqlite3';
import { SenseError } from '../errors.js';
import type { EmbeddingModel } from './types.js';

export const DATABASE_FILE = 'performers.db';

/** `PRAGMA application_id` ('SSFD'): tells our file apart from the Python sidecar's performers.db. */
const APPLICATION_ID = 0x53534644;

/** Index i upgrades schema version i to i + 1; `user_version` holds the version. */
const migrations: readonly string[] = [
  `
  CREATE TABLE performers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT,
    image_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX performers_name ON performers (name);
  CREATE TABLE performer_aliases (
    performer_id TEXT NOT NULL REFERENCES performers (id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    PRIMARY KEY (performer_id, alias)
  ) WITHOUT ROWID;
  CREATE TABLE performer_stash_ids (
    performer_id TEXT NOT NULL REFERENCES performers (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    stash_id TEXT NOT NULL,
    UNIQUE (endpoint, stash_id)
  );
  CREATE INDEX performer_stash_ids_performer ON performer_stash_ids (performer_id);
  CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    performer_id TEXT NOT NULL REFERENCES performers (id) ON DELETE CASCADE,
    source_hash TEXT NOT NULL,
    source_path TEXT,
    box_x REAL NOT NULL,
    box_y REAL NOT NULL,
    box_width REAL NOT NULL,
    box_height REAL NOT NULL,
    score REAL NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (performer_id, source_hash)
  );
  CREATE INDEX faces_source_hash ON faces (source_hash);
  CREATE TABLE metadata (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // The body signal (issue 15): each enrolled photo's shoulder/hip ratio when it gave one, and each performer's
  // reference (the median over those photos), kept so identification reads one row per candidate.
  `
  CREATE TABLE face_body_ratios (
    face_id INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
    shoulder_hip_ratio REAL NOT NULL
  );
  CREATE TABLE body_references (
    performer_id TEXT PRIMARY KEY REFERENCES performers (id) ON DELETE CASCADE,
    shoulder_hip_ratio REAL NOT NULL,
    photo_count INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // Face management: where each face came from, a small thumbnail, and the change log that lets an edit write
  // only what changed. face_vectors holds the vectors of faces added since the index files were last written,
  // face_tombstones the ids of faces deleted since then; opening applies both to the loaded index files, and a
  // compaction writes new index files and empties both.
  `
  ALTER TABLE faces ADD COLUMN source_kind TEXT;
  ALTER TABLE faces ADD COLUMN source_ref TEXT;
  UPDATE faces SET source_kind = CASE
    WHEN source_hash LIKE 'upstream:%' THEN 'import'
    WHEN source_path LIKE 'http://%' OR source_path LIKE 'https://%' THEN 'stash'
    WHEN source_path IS NOT NULL THEN 'file'
  END;
  CREATE TABLE face_thumbnails (
    face_id INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
    jpeg BLOB NOT NULL
  );
  CREATE TABLE face_vectors (
    face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (face_id, model)
  ) WITHOUT ROWID;
  CREATE TABLE face_tombstones (
    face_id INTEGER PRIMARY KEY
  );
  `,
];

export const SCHEMA_VERSION = migrations.length;

export type MetadataKey =
  | 'model_profile'
  | 'models'
  | 'version'
  | 'created_at'
  | 'updated_at'
  | 'performer_count'
  | 'face_count'
  | 'index_files';

export interface Metadata {
  profile: string;
  models: EmbeddingModel[];
  version: string;
  createdAt: string;
  updatedAt: string;
  performerCount: number;
  faceCount: number;
  /** model name → index file name in the data dir; a model without faces yet has none. */
  indexFiles: Record<string, string>;
}

/**
 * Brings the schema up to date inside one transaction. A brand-new file also gets its metadata, so a crash
 * during creation leaves an empty file that the next open simply creates again.
 */
export function migrateSchema(db: Database, fresh: Omit<Metadata, 'indexFiles' | 'performerCount' | 'faceCount'>, file: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const current = db.pragma('user_version', { simple: true }) as number;
  const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get() as { n: number };
  if (applicationId !== APPLICATION_ID && (tables.n > 0 || current !== 0)) {
    throw new SenseError(
      'CONFLICT',
      `${file} is not a Stash Sense face database (it may be the Python sidecar's); move it away, or import the upstream release instead`,
    );
  }
  if (current > SCHEMA_VERSION) {
    throw new SenseError(
      'CONFLICT',
      `${file} has schema version ${current}, newer than this Stash Sense understands (${SCHEMA_VERSION}); upgrade Stash Sense`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) db.exec(migrations[version]!);
    if (current === 0) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      writeMetadata(db, { ...fresh, performerCount: 0, faceCount: 0, indexFiles: {} });
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** For a finished database file made elsewhere (an import's staging copy): ours, and at the current schema. */
export function checkDatabaseFile(db: Database, file: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId !== APPLICATION_ID) throw new SenseError('BAD_INPUT', `${file} is not a Stash Sense face database`);
  if (version !== SCHEMA_VERSION) throw new SenseError('BAD_INPUT', `${file} has schema version ${version}, not ${SCHEMA_VERSION}`);
}

export function readMetadata(db: Database, file: string): Metadata {
  const rows = db.prepare('SELECT key, value FROM metadata').all() as { key: string; value: string }[];
  const values = new Map(rows.map((row) => [row.key, row.value]));
  const get = (key: MetadataKey): string => {
    const value = values.get(key);
    if (value === undefined) throw new SenseError('CONFLICT', `${file} is damaged: metadata "${key}" is missing; rebuild the face database`);
    return value;
  };
  return {
    profile: get('model_profile'),
    models: JSON.parse(get('models')) as EmbeddingModel[],
    version: get('version'),
    createdAt: get('created_at'),
    updatedAt: get('updated_at'),
    performerCount: Number(get('performer_count')),
    faceCount: Number(get('face_count')),
    indexFiles: JSON.parse(get('index_files')) as Record<string, string>,
  };
}

export function writeMetadata(db: Database, metadata: Metadata): void {
  const upsert = db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const entries: [MetadataKey, string][] = [
    ['model_profile', metadata.profile],
    ['models', JSON.stringify(metadata.models)],
    ['version', metadata.version],
    ['created_at', metadata.createdAt],
    ['updated_at', metadata.updatedAt],
    ['performer_count', String(metadata.performerCount)],
    ['face_count', String(metadata.faceCount)],
    ['index_files', JSON.stringify(metadata.indexFiles)],
  ];
  for (const [key, value] of entries) upsert.run(key, value);
}

/** Rollback journal, not WAL: the whole database is then one file, which an import replaces with one rename. */
export function configureConnection(db: Database, role: 'writer' | 'reader'): void {
  if (role === 'writer') {
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    // Without spilling, an open write transaction holds only a RESERVED lock until COMMIT, so the reader
    // connection on the same thread keeps reading the committed state instead of waiting on a lock.
    db.pragma('cache_spill = OFF');
  }
  db.pragma('foreign_keys = ON');
}
