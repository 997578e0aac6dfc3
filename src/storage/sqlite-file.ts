// Start-up checks on the SQLite files in DATA_DIR. SQLite opens a 0-byte or missing file as a new, empty
// database, so without these an emptied performers.db or stash_sense.db would start "fresh" and the user's data
// would be replaced without a word. A damaged file stops start-up with the file named and what to do; nothing in
// DATA_DIR is changed on the way.
import { open, stat } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import { SenseError, errorMessage } from '../errors.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface StoredFile {
  file: string;
  /** What to tell the user to do, e.g. "Restore it from a backup, or move it out of DATA_DIR to start anew". */
  remedy: string;
}

/** 'missing', or 'present' once the file is known to be a non-empty SQLite database; throws otherwise. */
export async function checkSqliteFile({ file, remedy }: StoredFile): Promise<'missing' | 'present'> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw damaged({ file, remedy }, errorMessage(error), error);
  }
  if (size === 0) throw damaged({ file, remedy }, 'it is empty (0 bytes)');
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    await handle.read(header, 0, header.length, 0);
    if (!header.equals(SQLITE_HEADER)) throw damaged({ file, remedy }, 'it is not a SQLite database');
  } finally {
    await handle.close();
  }
  return 'present';
}

/** SQLite's own page-level check; run after opening, so a hot journal is rolled back first. */
export function checkSqliteIntegrity(db: Database, stored: StoredFile): void {
  let result: unknown;
  try {
    result = db.pragma('quick_check(1)', { simple: true });
  } catch (error: unknown) {
    throw damaged(stored, errorMessage(error), error);
  }
  if (result !== 'ok') throw damaged(stored, `SQLite reports: ${String(result)}`);
}

/** For an error SQLite raised while opening or migrating: the same message, naming the file. */
export function damaged({ file, remedy }: StoredFile, why: string, cause?: unknown): SenseError {
  return new SenseError('DATABASE_NOT_LOADED', `${file} cannot be used: ${why}. Stash Sense stopped and changed nothing. ${remedy}`, { cause });
}
