// One write, all or nothing: SQL changes in one transaction; new vectors added to the live index and saved
// under a new generation name; COMMIT records those names; only then are the old files removed.
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
import { addVectors, loadModelIndex, type ModelIndex } from './model-index.js';
import { writeMetadata, type Metadata } from './schema.js';
import type { FaceDatabaseWriter, WriteOutcome } from './types.js';
import { createStagedWrite, createWriter, type StagedWrite } from './writer.js';

export interface WriteContext {
  dataDir: string;
  writeDb: Database;
  indexes: ReadonlyMap<string, ModelIndex>;
  efSearch: number;
  logger: Logger;
  /** The state before this write. */
  committed: Metadata;
  /** Called synchronously right after COMMIT, before anything else can run. */
  onCommit(next: Metadata): void;
}

export async function runWriteTransaction<T>(context: WriteContext, change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>> {
  const { dataDir, writeDb, indexes, efSearch, logger } = context;
  const indexOf = (model: string): ModelIndex => indexes.get(model)!;
  const started = performance.now();
  const previous = context.committed;
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
    context.onCommit(next);
    for (const [model, index] of replacements) indexOf(model).index = index;
    logger.info('face database written', {
      version: generation,
      facesAdded: staged.facesAdded,
      performersAdded: staged.performersAdded,
      faces: next.faceCount,
      ms: Math.round(performance.now() - started),
    });
    await removeReplacedFiles(dataDir, previous.indexFiles, indexFiles, logger);
    return { result, facesAdded: staged.facesAdded, performersAdded: staged.performersAdded };
  } catch (error: unknown) {
    staged.sealed = true;
    if (committed) throw error;
    if (writeDb.inTransaction) writeDb.exec('ROLLBACK');
    for (const name of created) {
      const source = adoptedFrom.get(name);
      await (source ? moveFile(join(dataDir, name), source) : unlink(join(dataDir, name))).catch(() => {});
    }
    for (const model of touched) {
      const entry = indexOf(model);
      try {
        entry.index = await loadModelIndex(dataDir, previous, entry.model, efSearch, logger);
      } catch (reloadError: unknown) {
        // Searches stay correct: hits on the uncommitted labels are filtered out against the database.
        logger.error('index not restored after a failed write', { model, error: errorMessage(reloadError) });
      }
    }
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

async function removeReplacedFiles(dataDir: string, before: Record<string, string>, after: Record<string, string>, logger: Logger): Promise<void> {
  const current = new Set(Object.values(after));
  for (const name of Object.values(before)) {
    if (current.has(name)) continue;
    // A leftover is harmless: the next open removes it.
    await unlink(join(dataDir, name)).catch((error: unknown) => logger.warn('old index file not removed', { file: name, error: errorMessage(error) }));
  }
}
