// Replacing the whole face database with one built elsewhere (an import): the staging database names its own
// generation of index files, so those move in first under names nothing else uses, and one rename of
// performers.db then switches everything. Killed before that rename, the old database is intact (the moved
// files are strays its next open removes); after it, the new one is complete.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { access, copyFile, mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { moveFile, readIndexLabels, syncDirectory, syncFile } from './index-file.js';
import { DATABASE_FILE, checkDatabaseFile, readMetadata, type Metadata } from './schema.js';

export interface InstalledFaceDatabase {
  version: string;
  profile: string;
  performerCount: number;
  faceCount: number;
}

/**
 * Moves a complete face database from `stagingDir` (built there with openFaceDatabase + write, then closed)
 * into `dataDir`, replacing what is there. Stage on the same file system as `dataDir` for a plain rename.
 * A FaceDatabase still open on `dataDir` keeps serving the old contents but refuses writes; open the new one
 * and swap to it. Refused while the old database is in the middle of a write.
 */
export async function installFaceDatabase(stagingDir: string, dataDir: string, logger: Logger): Promise<InstalledFaceDatabase> {
  const started = performance.now();
  const stagedFile = join(stagingDir, DATABASE_FILE);
  const target = join(dataDir, DATABASE_FILE);
  const metadata = await inspectStaging(stagedFile, stagingDir);
  await mkdir(dataDir, { recursive: true });

  const moved: string[] = [];
  let source = stagedFile;
  try {
    for (const name of Object.values(metadata.indexFiles)) {
      const destination = join(dataDir, name);
      if (existsSync(destination)) throw new SenseError('CONFLICT', `${destination} already exists; this staging database was installed before`);
      await moveFile(join(stagingDir, name), destination);
      moved.push(name);
    }
    if ((await stat(stagingDir)).dev !== (await stat(dataDir)).dev) {
      source = join(dataDir, `.${DATABASE_FILE}.installing`);
      await copyFile(stagedFile, source);
      await syncFile(source);
    }
    await syncDirectory(dataDir);
    replaceDatabase(source, target);
  } catch (error: unknown) {
    // Leave the staging dir as it was, so the install can be retried.
    for (const name of moved) await moveFile(join(dataDir, name), join(stagingDir, name)).catch(() => {});
    if (source !== stagedFile) await unlink(source).catch(() => {});
    throw error;
  }
  await syncDirectory(dataDir);
  if (source !== stagedFile) await unlink(stagedFile).catch(() => {});
  logger.info('face database installed', {
    dataDir,
    version: metadata.version,
    profile: metadata.profile,
    performers: metadata.performerCount,
    faces: metadata.faceCount,
    ms: Math.round(performance.now() - started),
  });
  const { version, profile, performerCount, faceCount } = metadata;
  return { version, profile, performerCount, faceCount };
}

async function inspectStaging(stagedFile: string, stagingDir: string): Promise<Metadata> {
  await access(stagedFile).catch(() => {
    throw new SenseError('NOT_FOUND', `${stagedFile} does not exist; build the face database there first`);
  });
  // Opening read-write rolls back a journal left by a killed build, so what gets installed is what was committed.
  const db = new Sqlite(stagedFile, { fileMustExist: true });
  let metadata: Metadata;
  try {
    checkDatabaseFile(db, stagedFile);
    metadata = readMetadata(db, stagedFile);
  } finally {
    db.close();
  }
  if (existsSync(`${stagedFile}-journal`)) throw new SenseError('CONFLICT', `${stagedFile} is still being written; close it before installing`);
  for (const [model, name] of Object.entries(metadata.indexFiles)) {
    const dims = metadata.models.find((entry) => entry.name === model)?.dims;
    if (dims === undefined) throw new SenseError('BAD_INPUT', `${stagedFile} names an index for unknown model "${model}"`);
    // Deleted vectors (an import's faces without a performer) stay in the graph and are not faces.
    const { live } = await readIndexLabels(join(stagingDir, name), dims);
    if (live.length !== metadata.faceCount) {
      throw new SenseError('BAD_INPUT', `${name} holds ${live.length} vectors but ${stagedFile} has ${metadata.faceCount} faces`);
    }
  }
  return metadata;
}

/**
 * A rollback journal beside performers.db belongs to whichever file carries that name, so the rename happens
 * under the old database's write lock, after its hot journal (a killed write) is rolled back and a leftover
 * journal that is not hot (a write killed before it changed the file) is removed. Synchronous throughout, so
 * no write of this process can start in between; a write in progress makes it refuse.
 */
function replaceDatabase(source: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(source, target);
    return;
  }
  const db = new Sqlite(target, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('user_version', { simple: true });
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error: unknown) {
      throw new SenseError('CONFLICT', `the face database in ${target} is being written (${errorMessage(error)}); try again when the write has finished`, {
        cause: error,
      });
    }
    rmSync(`${target}-journal`, { force: true });
    renameSync(source, target);
    db.exec('ROLLBACK');
  } finally {
    db.close();
  }
}
