// The face database a long-running process serves, kept current with performers.db on disk: another process
// (a CLI enrol, an import) commits a new version, and within a poll interval this holder opens it and serves
// it instead. A request holds a lease on the database it started with; the old one closes when the last lease
// is returned, so requests in flight finish on it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { errorMessage, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DATABASE_FILE } from './schema.js';
import type { FaceDatabase, FaceDatabaseWriter, WriteOutcome } from './types.js';

export interface FaceLease {
  database: FaceDatabase;
  /** Call once the request is done with `database`; extra calls do nothing. */
  release(): void;
}

/** What services depend on: a database per request, and the current one for a quick look. */
export interface FaceDatabaseSource {
  /** The database now; for one quick read (counts, version). A request that reads more takes a lease. */
  current(): FaceDatabase;
  acquire(): FaceLease;
  /** Runs `work` on one database under a lease. */
  use<T>(work: (database: FaceDatabase) => T | Promise<T>): Promise<T>;
  /** A write on the current database; when another process wrote first, reloads and tries once more. */
  write<T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>>;
}

export interface LiveFaceDatabase extends FaceDatabaseSource {
  /** Opens performers.db again now and serves it (after an import installed a new one). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface LiveFaceDatabaseOptions {
  dataDir: string;
  open(): Promise<FaceDatabase>;
  /** How often performers.db is checked for a version written by another process. */
  pollMs: number;
  logger: Logger;
}

interface Held {
  database: FaceDatabase;
  leases: number;
  retired: boolean;
}

export async function startLiveFaceDatabase(options: LiveFaceDatabaseOptions): Promise<LiveFaceDatabase> {
  const { logger } = options;
  const file = join(options.dataDir, DATABASE_FILE);
  let held: Held = { database: await options.open(), leases: 0, retired: false };
  let reloading: Promise<void> | undefined;
  let lastSeen = await fileSignature(file);
  let closed = false;

  const retire = async (entry: Held) => {
    entry.retired = true;
    if (entry.leases === 0) await entry.database.close();
  };

  const acquire = (): FaceLease => {
    const entry = held;
    entry.leases += 1;
    let released = false;
    return {
      database: entry.database,
      release() {
        if (released) return;
        released = true;
        entry.leases -= 1;
        if (entry.retired && entry.leases === 0) {
          entry.database.close().catch((error: unknown) => logger.warn('old face database not closed', { error: errorMessage(error) }));
        }
      },
    };
  };

  const reload = (): Promise<void> => {
    // Concurrent callers share one reload.
    reloading ??= (async () => {
      const started = performance.now();
      const previous = held;
      // Already serving what is on disk (the poll got there first): loading it again would only cost time.
      if (!previous.database.isStale() && readVersion(file) === previous.database.info().version) return;
      const next = await options.open();
      if (closed) {
        await next.close();
        return;
      }
      held = { database: next, leases: 0, retired: false };
      const from = previous.database.info().version;
      const to = next.info();
      logger.info('face database switched', {
        from,
        to: to.version,
        performers: to.performerCount,
        faces: to.faceCount,
        requestsOnOld: previous.leases,
        ms: Math.round(performance.now() - started),
      });
      await retire(previous);
    })().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };

  const poll = async () => {
    if (closed || reloading) return;
    const signature = await fileSignature(file);
    if (signature === lastSeen) return;
    const onDisk = readVersion(file);
    if (onDisk === undefined) return; // mid-write or mid-rename: the next poll looks again
    lastSeen = signature;
    if (onDisk === held.database.info().version) return;
    logger.info('face database changed on disk', { version: onDisk, serving: held.database.info().version });
    await reload();
  };

  const timer = setInterval(() => {
    poll().catch((error: unknown) => {
      // Left as it was: the old database keeps serving and the next poll tries again.
      lastSeen = '';
      logger.warn('face database not reloaded', { error: errorMessage(error) });
    });
  }, options.pollMs);
  timer.unref();

  const use = async <T>(work: (database: FaceDatabase) => T | Promise<T>): Promise<T> => {
    const lease = acquire();
    try {
      return await work(lease.database);
    } finally {
      lease.release();
    }
  };

  return {
    current: () => held.database,
    acquire,
    use,
    async write(change) {
      const attempt = () => use((database) => database.write(change));
      try {
        return await attempt();
      } catch (error: unknown) {
        if (!(isSenseError(error) && error.code === 'CONFLICT' && held.database.isStale())) throw error;
        logger.info('face database reloaded to retry a write', { error: errorMessage(error) });
        await reload();
        return attempt();
      }
    },
    reload,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await reloading?.catch(() => {});
      await held.database.close();
    },
  };
}

/** Changes whenever a commit rewrites performers.db or an import renames another file over it. */
async function fileSignature(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return '';
  }
}

function readVersion(file: string): string | undefined {
  let db: Sqlite.Database | undefined;
  try {
    db = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: 1000 });
    return db.prepare(`SELECT value FROM metadata WHERE key = 'version'`).pluck().get() as string | undefined;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}
