// The face database: performers.db (SQLite) plus one hnswlib index file per embedding model.
//
// Crash safety: index files are never changed in place. A write records only what changed in performers.db
// (new faces' vectors, deleted face ids) in one SQLite transaction; opening applies that change log to the
// index files it names. A compaction (compact.ts) saves the live index under a new generation name and records
// those names while emptying the log; old files are removed only after COMMIT, and strays are removed on open.
// Killed at any point, the data dir holds the old database or the new one, whole. SQLite uses a rollback journal
// (not WAL) so an import can replace it with one rename.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { checkSqliteFile, checkSqliteIntegrity, damaged, type StoredFile } from '../storage/index.js';
import { runCompaction } from './compact.js';
import { MODEL_NAME, listIndexFiles, newGeneration, removeStrayIndexFiles } from './index-file.js';
import { addVectors, loadModelIndex, readChangeLog, type ModelIndex } from './model-index.js';
import { createPerformerReads } from './performer-reads.js';
import { DATABASE_FILE, configureConnection, migrateSchema, readMetadata, type Metadata } from './schema.js';
import type { EmbeddingModel, FaceDatabase, FaceDatabaseWriter, FaceHit, OpenFaceDatabaseOptions, WriteOutcome } from './types.js';
import { checkEmbedding } from './writer.js';
import { countPendingChanges, highestLabel, markDeleted, runWriteTransaction } from './write-transaction.js';

const DEFAULT_EF_SEARCH = 100;
/**
 * Opening replays each pending face into the index: 2.4 ms per face and model (512-d, M 16, efConstruction
 * 200; a loop of 5000 addPoint calls with random vectors on the 2-core dev machine, 2026-12). At 2000
 * changes that is about 10 s for the two stash-sense models, as much delay at start-up as we accept.
 */
const DEFAULT_COMPACT_AFTER_CHANGES = 2000;
const DEFAULT_PAGE = 100;
const BUSY_TIMEOUT_MS = 5000;

export async function openFaceDatabase(options: OpenFaceDatabaseOptions, logger: Logger): Promise<FaceDatabase> {
  const { dataDir, profile, models } = checkOptions(options);
  const efSearch = options.efSearch ?? DEFAULT_EF_SEARCH;
  const started = performance.now();
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, DATABASE_FILE);
  const stored: StoredFile = {
    file,
    remedy: `Restore ${DATABASE_FILE} from a backup (with the .hnsw index files beside it), or move ${DATABASE_FILE} and the .hnsw files out of ${dataDir} to start a new, empty face database.`,
  };
  if ((await checkSqliteFile(stored)) === 'missing') {
    // Index files without the database that names them: the database is lost, not new. Starting empty would
    // remove them as strays.
    const orphans = await listIndexFiles(dataDir);
    if (orphans.length > 0) throw damaged(stored, `it is missing, but its index files are there (${orphans.join(', ')})`);
  }

  // The writer connection opens first: its first read rolls back a hot journal left by a killed write, which
  // the read-only connection could not do.
  const writeDb = new Sqlite(file, { timeout: BUSY_TIMEOUT_MS });
  let readDb: Database | undefined;
  try {
    // Before any pragma that writes (journal mode): a damaged file must stay byte for byte as it was.
    checkSqliteIntegrity(writeDb, stored);
    configureConnection(writeDb, 'writer');
    const now = new Date();
    migrateSchema(writeDb, { profile, models, version: newGeneration(now), createdAt: now.toISOString(), updatedAt: now.toISOString() }, file);
    // One read transaction: the metadata, and the change log that goes with the index files it names.
    const { metadata, changes, pending } = writeDb.transaction(() => ({
      metadata: readMetadata(writeDb, file),
      changes: readChangeLog(writeDb, models),
      pending: countPendingChanges(writeDb),
    }))();
    checkProfile(metadata, options, file);
    readDb = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    configureConnection(readDb, 'reader');
    const identity = await fileIdentity(file);
    await removeStrays(writeDb, file, dataDir, Object.values(metadata.indexFiles), logger);
    const indexes = new Map<string, ModelIndex>();
    let labelFloor = 0;
    for (const model of models) {
      const index = await loadModelIndex(dataDir, metadata, model, efSearch, logger);
      await addVectors(index, changes.vectors.get(model.name) ?? []);
      markDeleted(index, changes.tombstones);
      labelFloor = Math.max(labelFloor, highestLabel(index));
      indexes.set(model.name, { model, index });
    }
    logger.info('face database opened', {
      dataDir,
      profile,
      version: metadata.version,
      performers: metadata.performerCount,
      faces: metadata.faceCount,
      pendingChanges: pending,
      ms: Math.round(performance.now() - started),
    });
    const compactAfter = options.compactAfterChanges ?? DEFAULT_COMPACT_AFTER_CHANGES;
    return createFaceDatabase({ dataDir, file, identity, writeDb, readDb, metadata, pending, labelFloor, compactAfter, indexes, efSearch, logger });
  } catch (error: unknown) {
    readDb?.close();
    writeDb.close();
    throw error;
  }
}

interface FaceDatabaseParts {
  dataDir: string;
  file: string;
  identity: string;
  writeDb: Database;
  readDb: Database;
  metadata: Metadata;
  pending: number;
  labelFloor: number;
  compactAfter: number;
  indexes: Map<string, ModelIndex>;
  efSearch: number;
  logger: Logger;
}

function createFaceDatabase(parts: FaceDatabaseParts): FaceDatabase {
  const { dataDir, file, writeDb, readDb, indexes, efSearch, logger } = parts;
  const reads = createPerformerReads(readDb);
  let metadata = parts.metadata;
  let pending = parts.pending;
  let labelFloor = parts.labelFloor;
  let stale = false;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const usable = () => {
    if (closed) throw new SenseError('DATABASE_NOT_LOADED', 'the face database is closed');
  };
  const indexOf = (model: string): ModelIndex => {
    const entry = indexes.get(model);
    if (!entry) throw new SenseError('BAD_INPUT', `unknown embedding model "${model}"; this database has ${[...indexes.keys()].join(', ')}`);
    return entry;
  };

  const runWrite = async <T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>> => {
    usable();
    if ((await fileIdentity(file).catch(() => '')) !== parts.identity) {
      stale = true;
      throw new SenseError('CONFLICT', `${file} was replaced (an import installed a new database); reopen the face database`);
    }
    const context = {
      dataDir,
      file,
      writeDb,
      indexes,
      efSearch,
      logger,
      committed: metadata,
      onCommit: (next: Metadata, pendingChanges: number) => {
        metadata = next;
        pending = pendingChanges;
      },
      onStale: () => {
        stale = true;
      },
    };
    const outcome = await runWriteTransaction({ ...context, labelFloor, onLabels: (highest) => (labelFloor = Math.max(labelFloor, highest)) }, change);
    if (pending >= parts.compactAfter) await runCompaction({ ...context, committed: metadata });
    return outcome;
  };

  const runCompact = async () => {
    usable();
    if ((await fileIdentity(file).catch(() => '')) !== parts.identity) {
      throw new SenseError('CONFLICT', `${file} was replaced (an import installed a new database); reopen the face database`);
    }
    return runCompaction({
      dataDir,
      file,
      writeDb,
      indexes,
      efSearch,
      logger,
      committed: metadata,
      onCommit: (next, pendingChanges) => {
        metadata = next;
        pending = pendingChanges;
      },
      onStale: () => {
        stale = true;
      },
    });
  };

  return {
    info() {
      usable();
      const { profile, models, version, createdAt, updatedAt, performerCount, faceCount } = metadata;
      return { profile, models: models.map((model) => ({ ...model })), version, createdAt, updatedAt, performerCount, faceCount, pendingChanges: pending };
    },

    search(model, embedding, k) {
      usable();
      const { index, model: spec } = indexOf(model);
      checkEmbedding(model, embedding, spec.dims);
      const wanted = Math.min(Math.floor(k), index.getCurrentCount());
      if (!(wanted > 0)) return [];
      const found = index.searchKnn(Array.from(embedding), wanted);
      // During a write the index may already hold faces the committed database does not: drop them.
      const owners = reads.faceOwners(found.neighbors);
      const hits: FaceHit[] = [];
      found.neighbors.forEach((faceId, i) => {
        const performerId = owners.get(faceId);
        if (performerId !== undefined) hits.push({ faceId, performerId, distance: found.distances[i]! });
      });
      return hits;
    },

    getPerformers(ids) {
      usable();
      return reads.getPerformers(ids);
    },

    listPerformers(options = {}) {
      usable();
      return reads.listPerformers(Math.max(0, Math.floor(options.limit ?? DEFAULT_PAGE)), Math.max(0, Math.floor(options.offset ?? 0)));
    },

    hasFaceSource(sourceHash) {
      usable();
      return reads.hasFaceSource(sourceHash);
    },

    getBodyReferences(ids) {
      usable();
      return reads.bodyReferences(ids);
    },

    listFaceSources() {
      usable();
      return reads.listFaceSources();
    },

    searchPerformers(options = {}) {
      usable();
      const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_PAGE));
      return reads.searchPerformers(options.search?.trim() ?? '', limit, Math.max(0, Math.floor(options.offset ?? 0)));
    },

    listFaces(performerId) {
      usable();
      return reads.listFaces(performerId);
    },

    faceThumbnail(faceId) {
      usable();
      return reads.faceThumbnail(faceId);
    },

    write<T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>) {
      const run = queue.then(() => runWrite<T>(change));
      queue = run.catch(() => {});
      return run;
    },

    compact() {
      const run = queue.then(runCompact);
      queue = run.catch(() => {});
      return run;
    },

    isStale: () => stale,

    async close() {
      if (closed) return;
      closed = true;
      await queue;
      readDb.close();
      writeDb.close();
      indexes.clear();
      logger.info('face database closed', { dataDir });
    },
  };
}

function checkOptions(options: OpenFaceDatabaseOptions): OpenFaceDatabaseOptions {
  if (!options.profile) throw new SenseError('BAD_INPUT', 'a face database needs a model profile');
  if (options.models.length === 0) throw new SenseError('BAD_INPUT', 'a face database needs at least one embedding model');
  const names = new Set<string>();
  for (const { name, dims } of options.models) {
    if (!MODEL_NAME.test(name)) throw new SenseError('BAD_INPUT', `embedding model name "${name}" must be letters, digits, "-" or "_"`);
    if (names.has(name)) throw new SenseError('BAD_INPUT', `embedding model "${name}" is listed twice`);
    if (!Number.isInteger(dims) || dims <= 0) throw new SenseError('BAD_INPUT', `embedding model "${name}" needs a positive whole number of dims`);
    names.add(name);
  }
  if (options.efSearch !== undefined && !(Number.isInteger(options.efSearch) && options.efSearch > 0)) {
    throw new SenseError('BAD_INPUT', `efSearch must be a positive whole number, not ${options.efSearch}`);
  }
  return options;
}

function checkProfile(metadata: Metadata, options: OpenFaceDatabaseOptions, file: string): void {
  const describe = (models: readonly EmbeddingModel[]) => models.map((model) => `${model.name} ${model.dims}-d`).join(', ');
  const same =
    metadata.profile === options.profile &&
    metadata.models.length === options.models.length &&
    metadata.models.every((model, i) => model.name === options.models[i]?.name && model.dims === options.models[i]?.dims);
  if (same) return;
  const built = `was built with model profile "${metadata.profile}" (${describe(metadata.models)})`;
  const running = `this Stash Sense runs "${options.profile}" (${describe(options.models)})`;
  const fix =
    metadata.profile === options.profile
      ? `rebuild the face database for the current models (or move ${file} away to start empty)`
      : `set MODEL_PROFILE=${metadata.profile} to use it, or rebuild the face database for "${options.profile}" (or move ${file} away to start empty)`;
  throw new SenseError('CONFLICT', `The face database ${file} ${built}, but ${running}. To fix: ${fix}.`);
}

/**
 * Index files being written exist only while their writer holds the write lock, so strays are removed only
 * when that lock is free: another process's compaction in progress is never mistaken for a leftover.
 */
async function removeStrays(writeDb: Database, file: string, dataDir: string, loading: readonly string[], logger: Logger): Promise<void> {
  try {
    writeDb.pragma('busy_timeout = 0');
    writeDb.exec('BEGIN IMMEDIATE');
  } catch {
    logger.debug('stray index files left for later: the face database is being written');
    return;
  } finally {
    writeDb.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  try {
    // The files named now (a compaction may have committed since the metadata was read) and the ones about to load.
    const keep = new Set([...loading, ...Object.values(readMetadata(writeDb, file).indexFiles)]);
    await removeStrayIndexFiles(dataDir, keep, logger);
  } finally {
    writeDb.exec('ROLLBACK');
  }
}

/** Device and inode: tells whether performers.db is still the file this object opened. */
async function fileIdentity(file: string): Promise<string> {
  const info = await stat(file);
  return `${info.dev}:${info.ino}`;
}
