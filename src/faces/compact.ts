// Compaction: the pending changes (face_vectors, face_tombstones) go into new index files. The live index
// already holds them, so it is saved as is under a new generation name (temporary name, fsync, rename), and one
// SQLite transaction records the new names and empties both tables; the old files are removed after COMMIT.
// Killed at any point, performers.db names either the old files with the change log or the new files without.
// Compaction changes no face, so the database version stays.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { indexFileName, newGeneration, syncDirectory, writeIndexFile } from './index-file.js';
import { writeMetadata, type Metadata } from './schema.js';
import { checkNotStale, countPendingChanges, removeReplacedFiles, type WriteContext } from './write-transaction.js';

export type CompactContext = Omit<WriteContext, 'labelFloor' | 'onLabels'>;

export async function runCompaction(context: CompactContext): Promise<{ compacted: boolean }> {
  const { dataDir, writeDb, indexes, logger } = context;
  const started = performance.now();
  const created: string[] = [];
  let committed = false;
  writeDb.exec('BEGIN IMMEDIATE');
  try {
    const previous = checkNotStale(context);
    const pending = countPendingChanges(writeDb);
    if (pending === 0) {
      writeDb.exec('ROLLBACK');
      return { compacted: false };
    }
    const generation = newGeneration();
    const indexFiles: Record<string, string> = {};
    for (const [model, entry] of indexes) {
      const name = indexFileName(model, generation);
      await writeIndexFile(entry.index, dataDir, name, entry.model.dims);
      created.push(name);
      indexFiles[model] = name;
      logger.debug('index file written', { model, file: name, count: entry.index.getCurrentCount() });
    }
    await syncDirectory(dataDir);
    writeDb.exec('DELETE FROM face_vectors; DELETE FROM face_tombstones;');
    const next: Metadata = { ...previous, updatedAt: new Date().toISOString(), indexFiles };
    writeMetadata(writeDb, next);
    writeDb.exec('COMMIT');
    committed = true;
    context.onCommit(next, 0);
    logger.info('face database compacted', { version: next.version, changes: pending, files: created, ms: Math.round(performance.now() - started) });
    await removeReplacedFiles(dataDir, previous.indexFiles, indexFiles, logger);
    return { compacted: true };
  } catch (error: unknown) {
    if (committed) throw error;
    if (writeDb.inTransaction) writeDb.exec('ROLLBACK');
    for (const name of created) await unlink(join(dataDir, name)).catch(() => {});
    logger.warn('face database compaction rolled back', { error: errorMessage(error) });
    throw error;
  }
}
