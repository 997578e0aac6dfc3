import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { STATE_DATABASE_FILE } from './schema.js';

/**
 * Whether a live process (the service, or a CLI running jobs) holds the job runner's lock on `dataDir`. The
 * holder keeps the lock file in exclusive mode, so any read of it from here is refused at once; the lock dies
 * with its process, so a crashed service never reads as running.
 */
export function isJobRunnerActive(dataDir: string): boolean {
  const lockFile = join(dataDir, `${STATE_DATABASE_FILE}.runner-lock`);
  if (!existsSync(lockFile)) return false;
  let lock: Sqlite.Database | undefined;
  try {
    lock = new Sqlite(lockFile, { timeout: 0, readonly: true, fileMustExist: true });
    lock.prepare('SELECT pid FROM runner').all();
    return false;
  } catch (error: unknown) {
    if (error instanceof Sqlite.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) return true;
    // A lock file from before the runner table existed, or an unreadable one: nobody holds it.
    return false;
  } finally {
    lock?.close();
  }
}
