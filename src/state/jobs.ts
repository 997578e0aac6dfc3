// Durable jobs and their steps: the rows behind src/jobs' runner. Every change to a job counts its revision up,
// so a subscriber that read a snapshot can drop older events.
import Sqlite, { type Database } from 'better-sqlite3';
import { SenseError, type ErrorCode } from '../errors.js';
import { parseId } from './ids.js';
import { fromJsonColumn, toJsonColumn } from './json.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

export interface JobProgress {
  done: number;
  total: number | null;
  /** What the job is working on now (a scene title or id). */
  current: string | null;
  ratePerMin: number | null;
  etaSec: number | null;
}

export interface JobError {
  code: ErrorCode;
  message: string;
}

export interface JobRecord {
  id: string;
  kind: string;
  status: JobStatus;
  input: unknown;
  /** What the handler returned, once completed. */
  result: unknown;
  error: JobError | null;
  progress: JobProgress;
  /** Times a runner started it; above 1 after a restart or a retry. */
  attempts: number;
  cancelRequested: boolean;
  revision: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface StepRecord {
  key: string;
  /** started: intent recorded before an external action; done: finished, with its result. */
  status: 'started' | 'done';
  result: unknown;
  startedAt: string;
  finishedAt: string | null;
}

export type JobFinish = { status: 'completed'; result: unknown } | { status: 'failed'; error: JobError } | { status: 'cancelled' };

export interface JobListFilter {
  status?: JobStatus | readonly JobStatus[] | null;
  kind?: string | null;
  /** Newest first; 50 by default. */
  limit?: number;
}

/** For src/jobs: the runner is the only writer of these rows. */
export interface JobStore {
  /** One runner per data dir: a second process (or a second runner here) gets CONFLICT until this is released. */
  claimRunner(): { release(): void };
  insertJob(kind: string, input: unknown): JobRecord;
  getJob(id: string): JobRecord | undefined;
  listJobs(filter?: JobListFilter): JobRecord[];
  /** Oldest first: the order they run in. */
  queuedJobs(): JobRecord[];
  markJobRunning(id: string): JobRecord;
  saveJobProgress(id: string, progress: JobProgress): JobRecord;
  requestJobCancel(id: string): JobRecord;
  finishJob(id: string, finish: JobFinish): JobRecord;
  /** Back to queued; `retry` also clears a failure or cancellation so it runs again from its finished steps. */
  requeueJob(id: string, options?: { retry?: boolean }): JobRecord;
  /** Jobs a killed process left running, now queued again. */
  requeueRunningJobs(): JobRecord[];
  getStep(jobId: string, key: string): StepRecord | undefined;
  recordStepStarted(jobId: string, key: string): void;
  recordStepDone(jobId: string, key: string, result: unknown): void;
  listSteps(jobId: string): StepRecord[];
  /** Removes finished jobs (and their steps) that ended before `before`. */
  deleteFinishedJobs(before: string): number;
}

interface JobRow {
  id: number;
  kind: string;
  status: JobStatus;
  input: string;
  result: string | null;
  error_code: ErrorCode | null;
  error_message: string | null;
  progress_done: number;
  progress_total: number | null;
  progress_current: string | null;
  rate_per_min: number | null;
  eta_sec: number | null;
  attempts: number;
  cancel_requested: number;
  revision: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

interface StepRow {
  key: string;
  status: 'started' | 'done';
  result: string | null;
  started_at: string;
  finished_at: string | null;
}

const BUMP = 'revision = revision + 1, updated_at = @at';

export function createJobStore(db: Database, lockFile: string, now: () => Date): JobStore {
  const one = <P extends Record<string, unknown>>(sql: string) => {
    const statement = db.prepare<[P], JobRow>(sql);
    return (params: P, id: string): JobRecord => {
      const row = statement.get(params);
      if (!row) throw new SenseError('NOT_FOUND', `Job ${id} does not exist`);
      return toJob(row);
    };
  };
  const at = () => now().toISOString();
  const key = (id: string) => {
    const numeric = parseId(id);
    if (numeric === undefined) throw new SenseError('NOT_FOUND', `Job ${id} does not exist`);
    return numeric;
  };

  const insert = db.prepare<[string, string, string, string], JobRow>(
    `INSERT INTO jobs (kind, status, input, created_at, updated_at) VALUES (?, 'queued', ?, ?, ?) RETURNING *`,
  );
  const byId = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const list = db.prepare<[{ statuses: string; kind: string | null; limit: number }], JobRow>(`
    SELECT * FROM jobs
    WHERE (json_array_length(@statuses) = 0 OR status IN (SELECT value FROM json_each(@statuses)))
      AND (@kind IS NULL OR kind = @kind)
    ORDER BY id DESC LIMIT @limit`);
  const queued = db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status = 'queued' ORDER BY id`);
  const markRunning = one<{ id: number; at: string }>(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, @at), ${BUMP}
     WHERE id = @id RETURNING *`,
  );
  const saveProgress = one<{ id: number; at: string; done: number; total: number | null; current: string | null; rate: number | null; eta: number | null }>(
    `UPDATE jobs SET progress_done = @done, progress_total = @total, progress_current = @current, rate_per_min = @rate,
       eta_sec = @eta, ${BUMP} WHERE id = @id RETURNING *`,
  );
  const requestCancel = one<{ id: number; at: string }>(`UPDATE jobs SET cancel_requested = 1, ${BUMP} WHERE id = @id RETURNING *`);
  const finish = one<{ id: number; at: string; status: JobStatus; result: string | null; code: string | null; message: string | null }>(
    `UPDATE jobs SET status = @status, result = @result, error_code = @code, error_message = @message, finished_at = @at,
       eta_sec = NULL, ${BUMP} WHERE id = @id RETURNING *`,
  );
  const requeue = one<{ id: number; at: string }>(`UPDATE jobs SET status = 'queued', ${BUMP} WHERE id = @id RETURNING *`);
  const retry = one<{ id: number; at: string }>(
    `UPDATE jobs SET status = 'queued', result = NULL, error_code = NULL, error_message = NULL, cancel_requested = 0,
       finished_at = NULL, ${BUMP} WHERE id = @id RETURNING *`,
  );
  const requeueRunning = db.prepare<[{ at: string }], JobRow>(
    `UPDATE jobs SET status = 'queued', ${BUMP} WHERE status = 'running' RETURNING *`,
  );
  const stepByKey = db.prepare<[number, string], StepRow>('SELECT * FROM job_steps WHERE job_id = ? AND key = ?');
  const stepStarted = db.prepare<[number, string, string]>(`
    INSERT INTO job_steps (job_id, key, status, started_at) VALUES (?, ?, 'started', ?)
    ON CONFLICT (job_id, key) DO UPDATE SET started_at = excluded.started_at WHERE status = 'started'`);
  const stepDone = db.prepare<[number, string, string | null, string, string]>(`
    INSERT INTO job_steps (job_id, key, status, result, started_at, finished_at) VALUES (?, ?, 'done', ?, ?, ?)
    ON CONFLICT (job_id, key) DO UPDATE SET status = 'done', result = excluded.result, finished_at = excluded.finished_at`);
  const steps = db.prepare<[number], StepRow>('SELECT * FROM job_steps WHERE job_id = ? ORDER BY rowid');
  const deleteFinished = db.prepare<[string]>(
    `DELETE FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < ?`,
  );

  return {
    claimRunner: () => claimRunnerLock(lockFile),
    insertJob(kind, input) {
      const time = at();
      return toJob(insert.get(kind, toJsonColumn(input ?? null)!, time, time)!);
    },
    getJob(id) {
      const numeric = parseId(id);
      const row = numeric === undefined ? undefined : byId.get(numeric);
      return row && toJob(row);
    },
    listJobs(filter = {}) {
      const statuses = filter.status === undefined || filter.status === null ? [] : [filter.status].flat();
      return list.all({ statuses: JSON.stringify(statuses), kind: filter.kind ?? null, limit: filter.limit ?? 50 }).map(toJob);
    },
    queuedJobs: () => queued.all().map(toJob),
    markJobRunning: (id) => markRunning({ id: key(id), at: at() }, id),
    saveJobProgress: (id, progress) =>
      saveProgress(
        {
          id: key(id),
          at: at(),
          done: progress.done,
          total: progress.total,
          current: progress.current,
          rate: progress.ratePerMin,
          eta: progress.etaSec,
        },
        id,
      ),
    requestJobCancel: (id) => requestCancel({ id: key(id), at: at() }, id),
    finishJob(id, outcome) {
      return finish(
        {
          id: key(id),
          at: at(),
          status: outcome.status,
          result: outcome.status === 'completed' ? toJsonColumn(outcome.result) : null,
          code: outcome.status === 'failed' ? outcome.error.code : null,
          message: outcome.status === 'failed' ? outcome.error.message : null,
        },
        id,
      );
    },
    requeueJob: (id, options = {}) => (options.retry ? retry : requeue)({ id: key(id), at: at() }, id),
    requeueRunningJobs: () => requeueRunning.all({ at: at() }).map(toJob),
    getStep(jobId, stepKey) {
      const row = stepByKey.get(key(jobId), stepKey);
      return row && toStep(row);
    },
    recordStepStarted(jobId, stepKey) {
      stepStarted.run(key(jobId), stepKey, at());
    },
    recordStepDone(jobId, stepKey, result) {
      const time = at();
      stepDone.run(key(jobId), stepKey, toJsonColumn(result), time, time);
    },
    listSteps: (jobId) => steps.all(key(jobId)).map(toStep),
    deleteFinishedJobs: (before) => deleteFinished.run(before).changes,
  };
}

/**
 * An exclusive SQLite lock on a small file beside the database. The operating system drops it when the process
 * dies, SIGKILL included, so a restarted runner never waits for a stale lease, while a second live runner (the
 * CLI beside the server) is refused instead of resuming the same jobs.
 */
function claimRunnerLock(lockFile: string): { release(): void } {
  const lock = new Sqlite(lockFile, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS runner (pid INTEGER NOT NULL, started_at TEXT NOT NULL)');
    lock.transaction(() => {
      lock.exec('DELETE FROM runner');
      lock.prepare('INSERT INTO runner (pid, started_at) VALUES (?, ?)').run(process.pid, new Date().toISOString());
    })();
  } catch (error: unknown) {
    lock.close();
    if (error instanceof Sqlite.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED')) {
      throw new SenseError('CONFLICT', 'Another Stash Sense process is already running jobs on this data directory', { cause: error });
    }
    throw error;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      lock.close();
    },
  };
}

function toJob(row: JobRow): JobRecord {
  return {
    id: String(row.id),
    kind: row.kind,
    status: row.status,
    input: fromJsonColumn(row.input),
    result: fromJsonColumn(row.result),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    progress: {
      done: row.progress_done,
      total: row.progress_total,
      current: row.progress_current,
      ratePerMin: row.rate_per_min,
      etaSec: row.eta_sec,
    },
    attempts: row.attempts,
    cancelRequested: row.cancel_requested === 1,
    revision: row.revision,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

function toStep(row: StepRow): StepRecord {
  return { key: row.key, status: row.status, result: fromJsonColumn(row.result), startedAt: row.started_at, finishedAt: row.finished_at };
}
