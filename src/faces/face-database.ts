// The face database: performers.db (SQLite) plus one hnswlib index file per embedding model.
//
// Crash safety: index files are never changed in place. A write saves each touched index under a new
// generation name (temporary name, fsync, rename), and the SQLite transaction that adds the faces also records
// those names as current; the old files are removed only after COMMIT, and strays are removed on open.
// Killed at any point, the data dir therefore holds the old database naming the old files, or the new one
// naming the new files. SQLite uses a rollback journal (not WAL) so an import can replace it with one rename.
import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite, { type Database } from 'better-sqlite3';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  MODEL_NAME,
  adoptIndexFile,
  checkIndexFile,
  createEmptyIndex,
  indexFileName,
  loadIndexFile,
  moveFile,
  newGeneration,
  removeStrayIndexFiles,
  syncDirectory,
  writeIndexFile,
  type HnswIndex,
} from './index-file.js';
import { createPerformerReads } from './performer-reads.js';
import { DATABASE_FILE, configureConnection, migrateSchema, readMetadata, writeMetadata, type Metadata } from './schema.js';
import type { EmbeddingModel, FaceDatabase, FaceDatabaseWriter, FaceHit, OpenFaceDatabaseOptions, WriteOutcome } from './types.js';
import { checkEmbedding, createStagedWrite, createWriter, type StagedVector, type StagedWrite } from './writer.js';

const DEFAULT_EF_SEARCH = 100;
const DEFAULT_PAGE = 100;
const BUSY_TIMEOUT_MS = 5000;
/** Long index builds give the event loop a turn this often, so searches keep being answered. */
const YIELD_EVERY_MS = 20;

interface ModelIndex {
  model: EmbeddingModel;
  index: HnswIndex;
}

export async function openFaceDatabase(options: OpenFaceDatabaseOptions, logger: Logger): Promise<FaceDatabase> {
  const { dataDir, profile, models } = checkOptions(options);
  const efSearch = options.efSearch ?? DEFAULT_EF_SEARCH;
  const started = performance.now();
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, DATABASE_FILE);

  // The writer connection opens first: its first read rolls back a hot journal left by a killed write, which
  // the read-only connection could not do.
  const writeDb = new Sqlite(file, { timeout: BUSY_TIMEOUT_MS });
  let readDb: Database | undefined;
  try {
    configureConnection(writeDb, 'writer');
    const now = new Date();
    migrateSchema(writeDb, { profile, models, version: newGeneration(now), createdAt: now.toISOString(), updatedAt: now.toISOString() }, file);
    const metadata = readMetadata(writeDb, file);
    checkProfile(metadata, options, file);
    readDb = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    configureConnection(readDb, 'reader');
    const identity = await fileIdentity(file);
    await removeStrayIndexFiles(dataDir, new Set(Object.values(metadata.indexFiles)), logger);
    const indexes = new Map<string, ModelIndex>();
    for (const model of models) {
      indexes.set(model.name, { model, index: await loadModelIndex(dataDir, metadata, model, efSearch, logger) });
    }
    logger.info('face database opened', {
      dataDir,
      profile,
      version: metadata.version,
      performers: metadata.performerCount,
      faces: metadata.faceCount,
      ms: Math.round(performance.now() - started),
    });
    return createFaceDatabase({ dataDir, file, identity, writeDb, readDb, metadata, indexes, efSearch, logger });
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
  indexes: Map<string, ModelIndex>;
  efSearch: number;
  logger: Logger;
}

function createFaceDatabase(parts: FaceDatabaseParts): FaceDatabase {
  const { dataDir, file, writeDb, readDb, indexes, efSearch, logger } = parts;
  const reads = createPerformerReads(readDb);
  let metadata = parts.metadata;
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

  const reloadIndexes = async (models: Iterable<string>) => {
    for (const name of models) {
      const entry = indexOf(name);
      try {
        entry.index = await loadModelIndex(dataDir, metadata, entry.model, efSearch, logger);
      } catch (error: unknown) {
        // Searches stay correct: hits on the uncommitted labels are filtered out against the database.
        logger.error('index not restored after a failed write', { model: name, error: errorMessage(error) });
      }
    }
  };

  const runWrite = async <T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>> => {
    usable();
    if ((await fileIdentity(file).catch(() => '')) !== parts.identity) {
      throw new SenseError('CONFLICT', `${file} was replaced (an import installed a new database); reopen the face database`);
    }
    const started = performance.now();
    const previous = metadata;
    const generation = newGeneration();
    const staged = createStagedWrite([...indexes.values()].map((entry) => entry.model));
    const created: string[] = [];
    // Adopted files go back where the importer left them if the write fails.
    const adoptedFrom = new Map<string, string>();
    const replacements = new Map<string, HnswIndex>();
    const touched = new Set<string>();
    let committed = false;
    writeDb.exec('BEGIN IMMEDIATE');
    try {
      const result = await change(createWriter(writeDb, previous.models, staged, logger));
      staged.sealed = true;
      logger.debug('write staged', { faces: staged.facesAdded, performers: staged.performersAdded });
      const indexFiles = { ...previous.indexFiles };

      if (staged.adopted.size > 0 || staged.indexedFacesAdded > 0) {
        for (const [model, index] of await adoptIndexFiles(staged, generation)) {
          replacements.set(model, index);
          indexFiles[model] = indexFileName(model, generation);
        }
      }
      if (staged.facesAdded > staged.indexedFacesAdded) {
        for (const [model, vectors] of staged.vectors) {
          touched.add(model);
          await addVectors(indexOf(model).index, vectors);
          logger.debug('index points added', { model, added: vectors.length });
        }
        for (const [model, entry] of indexes) {
          const name = indexFileName(model, generation);
          await writeIndexFile(entry.index, dataDir, name, entry.model.dims);
          created.push(name);
          indexFiles[model] = name;
          logger.debug('index file written', { model, file: name, count: entry.index.getCurrentCount() });
        }
      }
      if (created.length > 0) await syncDirectory(dataDir);

      const counts = writeDb.prepare('SELECT (SELECT count(*) FROM performers) AS performers, (SELECT count(*) FROM faces) AS faces').get() as {
        performers: number;
        faces: number;
      };
      const next: Metadata = {
        ...previous,
        version: generation,
        updatedAt: new Date().toISOString(),
        performerCount: counts.performers,
        faceCount: counts.faces,
        indexFiles,
      };
      writeMetadata(writeDb, next);
      writeDb.exec('COMMIT');
      committed = true;
      metadata = next;
      for (const [model, index] of replacements) indexOf(model).index = index;
      logger.info('face database written', {
        version: generation,
        facesAdded: staged.facesAdded,
        performersAdded: staged.performersAdded,
        faces: next.faceCount,
        ms: Math.round(performance.now() - started),
      });
      await removeReplacedFiles(previous.indexFiles, indexFiles);
      return { result, facesAdded: staged.facesAdded, performersAdded: staged.performersAdded };
    } catch (error: unknown) {
      staged.sealed = true;
      if (committed) throw error;
      if (writeDb.inTransaction) writeDb.exec('ROLLBACK');
      for (const name of created) {
        const source = adoptedFrom.get(name);
        await (source ? moveFile(join(dataDir, name), source) : unlink(join(dataDir, name))).catch(() => {});
      }
      if (touched.size > 0) await reloadIndexes(touched);
      logger.warn('face database write rolled back', { error: errorMessage(error) });
      throw error;
    }

    async function adoptIndexFiles(staged: StagedWrite, generation: string): Promise<Map<string, HnswIndex>> {
      const missing = [...indexes.keys()].filter((model) => !staged.adopted.has(model));
      if (staged.indexedFacesAdded > 0 && missing.length > 0) {
        throw new SenseError('BAD_INPUT', `faces added by id need an adopted index file for every model; missing: ${missing.join(', ')}`);
      }
      const faceIds = new Set((writeDb.prepare('SELECT id FROM faces').pluck().all() as number[]));
      const loaded = new Map<string, HnswIndex>();
      for (const [model, source] of staged.adopted) {
        const { dims } = indexOf(model).model;
        const { count } = await checkIndexFile(source, dims);
        if (count !== faceIds.size) {
          throw new SenseError('BAD_INPUT', `index file ${source} holds ${count} vectors but the database has ${faceIds.size} faces`);
        }
        const name = indexFileName(model, generation);
        await adoptIndexFile(source, dataDir, name);
        created.push(name);
        adoptedFrom.set(name, source);
        const { index } = await loadIndexFile(join(dataDir, name), dims, efSearch);
        const unknown = index.getIdsList().find((label) => !faceIds.has(label));
        if (unknown !== undefined) throw new SenseError('BAD_INPUT', `index file ${source} holds label ${unknown}, which is no face in the database`);
        loaded.set(model, index);
        logger.debug('index file adopted', { model, file: name, count });
      }
      return loaded;
    }
  };

  const removeReplacedFiles = async (before: Record<string, string>, after: Record<string, string>) => {
    const current = new Set(Object.values(after));
    for (const name of Object.values(before)) {
      if (current.has(name)) continue;
      // A leftover is harmless: the next open removes it.
      await unlink(join(dataDir, name)).catch((error: unknown) => logger.warn('old index file not removed', { file: name, error: errorMessage(error) }));
    }
  };

  return {
    info() {
      usable();
      const { profile, models, version, createdAt, updatedAt, performerCount, faceCount } = metadata;
      return { profile, models: models.map((model) => ({ ...model })), version, createdAt, updatedAt, performerCount, faceCount };
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

    write<T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>) {
      const run = queue.then(() => runWrite<T>(change));
      queue = run.catch(() => {});
      return run;
    },

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

async function loadModelIndex(dataDir: string, metadata: Metadata, model: EmbeddingModel, efSearch: number, logger: Logger): Promise<HnswIndex> {
  const name = metadata.indexFiles[model.name];
  if (name === undefined) return createEmptyIndex(model.dims, efSearch);
  const path = join(dataDir, name);
  const started = performance.now();
  try {
    await stat(path);
  } catch {
    throw new SenseError('DATABASE_NOT_LOADED', `index file ${path} for model "${model.name}" is missing; restore it or rebuild the face database`);
  }
  const { index, count } = await loadIndexFile(path, model.dims, efSearch);
  if (count !== metadata.faceCount) logger.warn('index and database disagree', { model: model.name, indexed: count, faces: metadata.faceCount });
  logger.debug('index loaded', { model: model.name, file: name, count, ms: Math.round(performance.now() - started) });
  return index;
}

/** Grows capacity geometrically before adding, and lets other work run between points of a large batch. */
async function addVectors(index: HnswIndex, vectors: readonly StagedVector[]): Promise<void> {
  const needed = index.getCurrentCount() + vectors.length;
  if (needed > index.getMaxElements()) index.resizeIndex(Math.max(needed, Math.ceil(index.getMaxElements() * 1.5)));
  let slice = performance.now();
  for (const { label, vector } of vectors) {
    index.addPoint(Array.from(vector), label);
    if (performance.now() - slice > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
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

/** Device and inode: tells whether performers.db is still the file this object opened. */
async function fileIdentity(file: string): Promise<string> {
  const info = await stat(file);
  return `${info.dev}:${info.ino}`;
}
