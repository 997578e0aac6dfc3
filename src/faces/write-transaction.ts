// One write, all or nothing, in one SQLite transaction: rows, new faces' vectors (face_vectors) and deleted
// face ids (face_tombstones). Index files are not touched, except by an importer adopting whole new ones (saved
// under a new generation name that COMMIT records; only then are the old files removed). See compact.ts.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  adoptIndexFile,
  indexFileName,
  loadIndexFile,
  moveFile,
  newGeneration,
  readIndexLabels,
  syncDirectory,
  writeIndexFile,
  type HnswIndex,
} from './index-file.js';
import { addVectors, type ModelIndex } from './model-index.js';
import { readMetadata, writeMetadata, type Metadata } from './schema.js';
import type { FaceDatabaseWriter, WriteOutcome } from './types.js';
import { createStagedWrite, createWriter, type StagedWrite } from './writer.js';

export interface WriteContext {
  dataDir: string;
  file: string;
  writeDb: Database;
  indexes: ReadonlyMap<string, ModelIndex>;
  efSearch: number;
  logger: Logger;
  /** The state this process has loaded. */
  committed: Metadata;
  /** The highest label the loaded indexes hold; raised as this write adds vectors. */
  labelFloor: number;
  onLabels(highest: number): void;
  /** Called synchronously right after COMMIT, before anything else can run. */
  onCommit(next: Metadata, pendingChanges: number): void;
  /** Another process committed since this one loaded: its indexes lack that write. */
  onStale(): void;
}

export async function runWriteTransaction<T>(context: WriteContext, change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>> {
  const { dataDir, writeDb, indexes, efSearch, logger } = context;
  const indexOf = (model: string): ModelIndex => indexes.get(model)!;
  const started = performance.now();
  const generation = newGeneration();
  const staged = createStagedWrite([...indexes.values()].map((entry) => entry.model));
  const created: string[] = [];
  // Adopted files go back where the importer left them if the write fails.
  const adoptedFrom = new Map<string, string>();
  const replacements = new Map<string, HnswIndex>();
  const added = new Map<string, number[]>();
  let committed = false;
  writeDb.exec('BEGIN IMMEDIATE');
  let previous = context.committed;
  try {
    previous = checkNotStale(context);
    const result = await change(createWriter(writeDb, previous.models, staged, logger, context.labelFloor));
    staged.sealed = true;
    logger.debug('write staged', { faces: staged.facesAdded, performers: staged.performersAdded, facesDeleted: staged.deleted.length });
    const indexFiles = { ...previous.indexFiles };

    if (staged.adopted.size > 0 || staged.indexedFacesAdded > 0) {
      for (const [model, index] of await adoptIndexFiles(staged, generation)) {
        replacements.set(model, index);
        indexFiles[model] = indexFileName(model, generation);
      }
      // The adopted files hold every face: nothing is pending any more.
      writeDb.exec('DELETE FROM face_vectors; DELETE FROM face_tombstones;');
      if (created.length > 0) await syncDirectory(dataDir);
    } else if (staged.facesAdded > 0) {
      // The vectors are already in performers.db (face_vectors); the live index gets them now, so searches
      // find them the moment this commits. Until then they are filtered out against the committed faces.
      for (const [model, vectors] of staged.vectors) {
        added.set(model, vectors.map((vector) => vector.label));
        context.onLabels(vectors.reduce((highest, vector) => Math.max(highest, vector.label), context.labelFloor));
        await addVectors(indexOf(model).index, vectors);
        logger.debug('index points added', { model, added: vectors.length });
      }
    }

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
    const pending = countPendingChanges(writeDb);
    writeDb.exec('COMMIT');
    committed = true;
    context.onCommit(next, pending);
    for (const [model, index] of replacements) {
      indexOf(model).index = index;
      context.onLabels(highestLabel(index));
    }
    for (const entry of indexes.values()) markDeleted(entry.index, staged.deleted);
    logger.info('face database written', {
      version: generation,
      facesAdded: staged.facesAdded,
      performersAdded: staged.performersAdded,
      facesDeleted: staged.deleted.length,
      performersDeleted: staged.performersDeleted,
      faces: next.faceCount,
      pendingChanges: pending,
      ms: Math.round(performance.now() - started),
    });
    await removeReplacedFiles(dataDir, previous.indexFiles, indexFiles, logger);
    return { result, facesAdded: staged.facesAdded, performersAdded: staged.performersAdded, facesDeleted: staged.deleted.length };
  } catch (error: unknown) {
    staged.sealed = true;
    if (committed) throw error;
    if (writeDb.inTransaction) writeDb.exec('ROLLBACK');
    for (const name of created) {
      const source = adoptedFrom.get(name);
      await (source ? moveFile(join(dataDir, name), source) : unlink(join(dataDir, name))).catch(() => {});
    }
    // Labels added to the live index for faces that never committed: their ids are above the label floor,
    // so no later face reuses them.
    for (const [model, labels] of added) markDeleted(indexOf(model).index, labels);
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
      // Vectors marked deleted (an importer's gaps: upstream faces nobody owns) are no faces; they may carry
      // any label, and only the live ones must be exactly the database's faces.
      const { live, deleted } = await readIndexLabels(source, dims);
      if (live.length !== faceIds.size) {
        throw new SenseError('BAD_INPUT', `index file ${source} holds ${live.length} vectors but the database has ${faceIds.size} faces`);
      }
      const unknown = live.find((label) => !faceIds.has(label));
      if (unknown !== undefined) throw new SenseError('BAD_INPUT', `index file ${source} holds label ${unknown}, which is no face in the database`);
      const name = indexFileName(model, generation);
      await adoptIndexFile(source, dataDir, name);
      created.push(name);
      adoptedFrom.set(name, source);
      const { index } = await loadIndexFile(join(dataDir, name), dims, efSearch);
      loaded.set(model, index);
      logger.debug('index file adopted', { model, file: name, count: live.length, deleted: deleted.length });
    }
    return loaded;
  }
}

/** Under the write lock: the database on disk must be the one this process loaded, or its indexes miss a write. */
export function checkNotStale(context: Pick<WriteContext, 'writeDb' | 'file' | 'committed' | 'onStale'>): Metadata {
  const onDisk = readMetadata(context.writeDb, context.file);
  if (onDisk.version !== context.committed.version) {
    context.onStale();
    throw new SenseError(
      'CONFLICT',
      `the face database was changed by another process (version ${onDisk.version}) since this one loaded version ${context.committed.version}; open it again and retry`,
    );
  }
  return onDisk;
}

/** Faces whose vectors live in performers.db rather than the index files, plus deleted ones not yet compacted. */
export function countPendingChanges(db: Database): number {
  return db.prepare('SELECT (SELECT count(DISTINCT face_id) FROM face_vectors) + (SELECT count(*) FROM face_tombstones)').pluck().get() as number;
}

/** Deleted labels count: an id an index file still holds is never given to a new face. */
export function highestLabel(index: HnswIndex): number {
  return index.getIdsList().reduce((highest, label) => Math.max(highest, label), 0);
}

export function markDeleted(index: HnswIndex, labels: readonly number[]): void {
  for (const label of labels) {
    try {
      index.markDelete(label);
    } catch {
      // Not in this index (a face whose vectors were only pending), or already deleted.
    }
  }
}

export async function removeReplacedFiles(dataDir: string, before: Record<string, string>, after: Record<string, string>, logger: Logger): Promise<void> {
  const current = new Set(Object.values(after));
  for (const name of Object.values(before)) {
    if (current.has(name)) continue;
    // A leftover is harmless: the next open removes it.
    await unlink(join(dataDir, name)).catch((error: unknown) => logger.warn('old index file not removed', { file: name, error: errorMessage(error) }));
  }
}
