// DATA_DIR/stash_sense.db: the user's own state (identifications, recommendations and their dismissals, jobs).
// It is a separate file from the face database, so replacing or rebuilding performers.db never touches it.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { checkSqliteFile, checkSqliteIntegrity, damaged, type StoredFile } from '../storage/index.js';
import { createIdentificationStore, type IdentificationStore } from './identifications.js';
import { createJobStore, type JobStore } from './jobs.js';
import { createRecommendationStore, type RecommendationStore } from './recommendations.js';
import { createStashBoxSnapshotStore, type StashBoxSnapshotStore } from './stashbox-snapshots.js';
import { STATE_DATABASE_FILE, STATE_SCHEMA_VERSION, configureConnection, migrateStateSchema } from './schema.js';

/** What a job step may write atomically with its done record (see `JobContext.step`). */
export interface StateTransaction extends IdentificationStore, RecommendationStore, StashBoxSnapshotStore {}

export interface StateDatabase extends IdentificationStore, RecommendationStore, StashBoxSnapshotStore {
  readonly file: string;
  /** The connection, for repositories inside src/state only. */
  readonly db: Database;
  /** The job rows, for src/jobs only. */
  readonly jobStore: JobStore;
  /**
   * Runs `fn` in one SQLite transaction; it must be synchronous, and anything it throws rolls it all back.
   * BEGIN IMMEDIATE, so a transaction that reads before it writes waits for another process's writer instead
   * of failing with SQLITE_BUSY when it upgrades.
   */
  transaction<T>(fn: (tx: StateTransaction) => T): T;
  close(): Promise<void>;
}

export interface OpenStateDatabaseOptions {
  /** The clock for timestamps; tests pass their own. */
  now?: () => Date;
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` in WAL mode. `full` (default) fsyncs every commit, so a recorded step survives a power
   * cut; `normal` survives a killed process but may lose the last commits on power loss (see bench/state.bench.ts).
   */
  synchronous?: 'full' | 'normal';
  /**
   * What a missing file means. `create` (default): a new data folder, start empty. `refuse`: the folder is not
   * new (its face database exists), so the file was lost or moved; stop rather than start with no jobs or
   * recommendations unnoticed.
   */
  missing?: 'create' | 'refuse';
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export async function openStateDatabase(dataDir: string, logger: Logger, options: OpenStateDatabaseOptions = {}): Promise<StateDatabase> {
  const now = options.now ?? (() => new Date());
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, STATE_DATABASE_FILE);
  const stored: StoredFile = {
    file,
    remedy: `Restore it from a backup, or move it out of ${dataDir} to start with no identifications, recommendations or jobs (the face database is not affected).`,
  };
  if ((await checkSqliteFile(stored)) === 'missing') {
    if (options.missing === 'refuse') {
      throw damaged(
        { file, remedy: `Restore it from a backup. To keep the face database and start with no identifications, recommendations or jobs, run \`stash-sense state init --data-dir ${dataDir}\`.` },
        'it is missing, but the face database beside it (performers.db) is not new',
      );
    }
    logger.info('creating the state database', { file });
  }
  const db = new Sqlite(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    // Before any pragma that writes (journal mode): a damaged file must stay byte for byte as it was.
    checkSqliteIntegrity(db, stored);
    configureConnection(db, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, options.synchronous ?? 'full');
    const found = migrateStateSchema(db, file);
    if (found !== STATE_SCHEMA_VERSION) logger.info('state database migrated', { file, from: found, to: STATE_SCHEMA_VERSION });
    logger.info('state database opened', { file, version: STATE_SCHEMA_VERSION });
  } catch (error: unknown) {
    db.close();
    throw error;
  }
  const stores: StateTransaction = { ...createIdentificationStore(db), ...createRecommendationStore(db, now), ...createStashBoxSnapshotStore(db, now) };
  return {
    ...stores,
    file,
    db,
    jobStore: createJobStore(db, `${file}.runner-lock`, now),
    transaction: (fn) => db.transaction(() => fn(stores)).immediate(),
    async close() {
      if (db.open) db.close();
    },
  };
}
