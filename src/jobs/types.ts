// The job runner's contract with the code that defines job kinds.
import type { PubSub } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import type { JobListFilter, JobRecord, StateDatabase, StateTransaction, StepRecord } from '../state/index.js';

export type Job = JobRecord;

/** What a handler reports; the runner adds the rate and ETA. An omitted total or current keeps the last one. */
export interface ProgressUpdate {
  done: number;
  total?: number | null;
  current?: string | null;
}

export interface JobContext<Input> {
  /** The job as it was when this run started (`attempts` > 1 means it is resuming). */
  job: Job;
  input: Input;
  /** Aborted by `cancelJob` and by the runner's `close()`; pass it to long work. */
  signal: AbortSignal;
  /** Stored, then published to subscribers. Call it per item, not per frame: each call is one write. */
  progress(update: ProgressUpdate): void;
  /**
   * A synchronous step that writes only to the state database. If `key` is recorded done, returns the stored
   * result without calling `fn`; otherwise `fn` runs inside one transaction together with the done record, so
   * either both happen or neither. The result must be JSON; what comes back is always its JSON round trip.
   * Throws the abort reason when the job is cancelled, which is how a job stops "between steps".
   */
  step<T>(key: string, fn: (tx: StateTransaction) => T): T;
  /**
   * An asynchronous step (Stash calls, identification, a mutation). Done already → the stored result. Otherwise
   * `run` executes and then `commit` and the done record are written in one transaction.
   * With `check`, the step is an external action: its intent is committed before `run`, and a resumed job that
   * finds the intent without a done record asks `check` whether the action already took effect before redoing it.
   */
  runStep<T>(key: string, spec: AsyncStep<T>): Promise<T>;
  /**
   * Holds one slot of a resource (e.g. `vision`) while `fn` runs; waits in FIFO order for a free slot, and
   * passes straight through when this job already holds the resource (declared by its kind, or an outer call).
   */
  withResource<T>(resource: string, fn: () => Promise<T>): Promise<T>;
}

export interface AsyncStep<T> {
  run(signal: AbortSignal): Promise<T>;
  /** Writes that belong with the step's result (identifications, recommendations), committed atomically with it. */
  commit?(tx: StateTransaction, result: T): void;
  /**
   * For a step whose effect lives outside the state database: on resume after a crash between intent and done,
   * reports whether the effect is already there (e.g. the scene already has every performer the step adds).
   */
  check?(signal: AbortSignal): Promise<CheckOutcome<T>>;
}

export type CheckOutcome<T> = { applied: true; result: T } | { applied: false };

export type JobRun<Input> = (context: JobContext<Input>) => Promise<unknown>;

/** A function, or one with the resources its whole run holds (acquired together before it starts). */
export type JobHandler<Input> = JobRun<Input> | { resources?: readonly string[]; run: JobRun<Input> };

/** One handler per kind: `const handlers: JobHandlers<JobKinds> = { tagBack: runTagBack }` fails to compile with one missing. */
export type JobHandlers<Kinds> = { [K in keyof Kinds]-?: JobHandler<Kinds[K]> };

/** Every change to a job (status, progress) is published here as the full job, keyed by its id. */
export type JobPubSub = PubSub<{ 'job:progress': [jobId: string, job: Job] }>;

export interface JobRunnerOptions<Kinds> {
  state: StateDatabase;
  handlers: JobHandlers<Kinds>;
  /** Slots per resource; merged over `{ vision: 1, network: 2 }`. */
  concurrency?: Record<string, number>;
  /** Jobs running at once whatever their resources; 4 by default. */
  maxRunningJobs?: number;
  pubSub?: JobPubSub;
  logger: Logger;
  /** How long `close()` waits for aborted handlers to reach a step boundary; 10 s by default. */
  shutdownTimeoutMs?: number;
}

export interface JobRunner<Kinds> {
  enqueueJob<K extends keyof Kinds & string>(kind: K, input: Kinds[K]): Job;
  job(id: string): Job | undefined;
  jobs(filter?: JobListFilter): Job[];
  jobSteps(id: string): StepRecord[];
  /** Queued → cancelled at once; running → aborted, cancelled at its next step boundary. Finished: unchanged. */
  cancelJob(id: string): Job | undefined;
  /** A failed or cancelled job runs again, skipping the steps it finished. */
  retryJob(id: string): Job | undefined;
  /** The job now, then every change, ending after a terminal state (or when the runner closes). */
  subscribe(id: string): AsyncIterableIterator<Job>;
  /** The job's terminal state (or its last state if the runner closes first). */
  waitForJob(id: string): Promise<Job>;
  /** Aborts running handlers, waits for them to stop, and leaves them queued to resume on the next start. */
  close(): Promise<void>;
}
