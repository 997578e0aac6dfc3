// The job runner: takes queued jobs oldest first, as resources allow, runs their handlers, records how they
// ended, and resumes on start the jobs a killed process left running.
import { SenseError, errorMessage, isSenseError } from '../errors.js';
import { TERMINAL_JOB_STATUSES, type JobError, type JobProgress } from '../state/index.js';
import { createJobContext } from './job-context.js';
import { createJobEventHub } from './job-events.js';
import { addSample, estimateRate, type ProgressSample } from './progress-rate.js';
import { createResourcePools } from './resources.js';
import type { Job, JobHandlers, JobRun, JobRunner, JobRunnerOptions, ProgressUpdate } from './types.js';

export const DEFAULT_CONCURRENCY: Readonly<Record<string, number>> = { vision: 1, network: 2 };
const DEFAULT_MAX_RUNNING_JOBS = 4;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

interface KindHandler {
  resources: readonly string[];
  run: JobRun<unknown>;
}

interface RunningJob {
  controller: AbortController;
  /** Why its signal was aborted, which decides how the job ends when the handler throws. */
  stopping: 'cancel' | 'shutdown' | undefined;
  samples: ProgressSample[];
  progress: JobProgress;
  done: Promise<void>;
}

export function startJobRunner<Kinds extends object>(options: JobRunnerOptions<Kinds>): JobRunner<Kinds> {
  const { state, logger } = options;
  const store = state.jobStore;
  const maxRunning = options.maxRunningJobs ?? DEFAULT_MAX_RUNNING_JOBS;
  const pools = createResourcePools({ ...DEFAULT_CONCURRENCY, ...options.concurrency });
  const handlers = normaliseHandlers(options.handlers);
  for (const handler of handlers.values()) handler.resources.forEach((resource) => pools.check(resource));

  const claim = store.claimRunner();
  const hub = createJobEventHub();
  const running = new Map<string, RunningJob>();
  let waitingForResources = false;
  let closing: Promise<void> | undefined;

  const publish = (job: Job) => {
    hub.publish(job);
    options.pubSub?.publish('job:progress', job.id, job);
  };

  const dispatch = () => {
    if (closing) return;
    waitingForResources = false;
    for (const job of store.queuedJobs()) {
      if (running.size >= maxRunning) return;
      const handler = handlers.get(job.kind);
      if (!handler) {
        logger.error('job has no handler', { jobId: job.id, kind: job.kind });
        publish(store.finishJob(job.id, { status: 'failed', error: { code: 'INTERNAL', message: `No handler for job kind "${job.kind}"` } }));
        continue;
      }
      if (!pools.tryAcquireAll(handler.resources)) {
        waitingForResources = true;
        continue;
      }
      start(job.id, handler);
    }
  };

  const start = (id: string, handler: KindHandler) => {
    const job = store.markJobRunning(id);
    publish(job);
    logger.info(job.attempts > 1 ? 'job resumed' : 'job started', { jobId: id, kind: job.kind, attempt: job.attempts, done: job.progress.done });
    const entry: RunningJob = { controller: new AbortController(), stopping: undefined, samples: [], progress: job.progress, done: Promise.resolve() };
    running.set(id, entry);
    entry.done = execute(job, handler, entry).finally(() => {
      running.delete(id);
      pools.releaseAll(handler.resources);
      dispatch();
    });
  };

  const execute = async (job: Job, handler: KindHandler, entry: RunningJob) => {
    // Let start() return first: a handler never runs inside dispatch's loop.
    await Promise.resolve();
    const started = performance.now();
    const context = createJobContext({
      state,
      job,
      input: job.input,
      signal: entry.controller.signal,
      pools,
      progress: (update) => reportProgress(job.id, entry, update),
    });
    let ended: Job;
    try {
      try {
        const result = await pools.runHolding(handler.resources, () => handler.run(context));
        ended = store.finishJob(job.id, { status: 'completed', result });
        logger.info('job completed', { jobId: job.id, kind: job.kind, ms: Math.round(performance.now() - started) });
      } catch (error: unknown) {
        if (entry.stopping === 'cancel') {
          ended = store.finishJob(job.id, { status: 'cancelled' });
          logger.info('job cancelled', { jobId: job.id, kind: job.kind, done: entry.progress.done });
        } else if (entry.stopping === 'shutdown') {
          ended = store.requeueJob(job.id);
          logger.info('job interrupted by shutdown; it resumes on the next start', { jobId: job.id, kind: job.kind });
        } else {
          ended = store.finishJob(job.id, { status: 'failed', error: toJobError(error) });
          if (isSenseError(error)) logger.warn('job failed', { jobId: job.id, kind: job.kind, code: error.code, error: error.message });
          else logger.error('job failed', { jobId: job.id, kind: job.kind, error: errorMessage(error), stack: error instanceof Error ? error.stack : undefined });
        }
      }
    } catch (error: unknown) {
      // The state database itself failed (or was closed under a handler that outlived close()).
      logger.error('job outcome could not be recorded', { jobId: job.id, error: errorMessage(error) });
      return;
    }
    publish(ended);
  };

  const reportProgress = (id: string, entry: RunningJob, update: ProgressUpdate) => {
    if (!Number.isFinite(update.done) || update.done < 0) throw new RangeError(`progress done must be a number ≥ 0, not ${update.done}`);
    // Work a handler left behind after it returned must not rewrite a finished job.
    if (running.get(id) !== entry) return;
    const total = update.total === undefined ? entry.progress.total : update.total;
    const current = update.current === undefined ? entry.progress.current : update.current;
    addSample(entry.samples, { atMs: performance.now(), done: update.done });
    entry.progress = { done: update.done, total, current, ...estimateRate(entry.samples, update.done, total) };
    publish(store.saveJobProgress(id, entry.progress));
  };

  const stop = (entry: RunningJob, why: 'cancel' | 'shutdown', message: string) => {
    if (entry.stopping === 'cancel') return;
    const first = entry.stopping === undefined;
    entry.stopping = why;
    if (first) entry.controller.abort(new SenseError('CANCELLED', message));
  };

  pools.onRelease(() => {
    if (waitingForResources) dispatch();
  });
  try {
    for (const job of store.requeueRunningJobs()) {
      if (job.cancelRequested) {
        publish(store.finishJob(job.id, { status: 'cancelled' }));
        continue;
      }
      logger.info('job left running by a previous process; resuming', { jobId: job.id, kind: job.kind, done: job.progress.done });
      publish(job);
    }
    dispatch();
  } catch (error: unknown) {
    claim.release();
    throw error;
  }

  const runner: JobRunner<Kinds> = {
    enqueueJob(kind, input) {
      if (closing) throw new SenseError('CONFLICT', 'Stash Sense is shutting down; the job was not started');
      if (!handlers.has(kind)) throw new RangeError(`no handler for job kind "${kind}"`);
      const job = store.insertJob(kind, input);
      logger.info('job queued', { jobId: job.id, kind });
      publish(job);
      dispatch();
      return store.getJob(job.id) ?? job;
    },
    job: (id) => store.getJob(id),
    jobs: (filter) => store.listJobs(filter),
    jobSteps: (id) => (store.getJob(id) ? store.listSteps(id) : []),
    cancelJob(id) {
      const job = store.getJob(id);
      if (!job || TERMINAL_JOB_STATUSES.has(job.status)) return job;
      const entry = running.get(id);
      if (!entry) {
        const cancelled = job.status === 'queued' ? store.finishJob(id, { status: 'cancelled' }) : store.requestJobCancel(id);
        if (cancelled.status === 'cancelled') logger.info('job cancelled', { jobId: id, kind: job.kind, done: job.progress.done });
        publish(cancelled);
        return cancelled;
      }
      if (entry.stopping !== 'cancel') {
        publish(store.requestJobCancel(id));
        logger.info('job cancel requested', { jobId: id, kind: job.kind });
        stop(entry, 'cancel', `Job ${id} was cancelled`);
      }
      return store.getJob(id);
    },
    retryJob(id) {
      const job = store.getJob(id);
      if (!job) return undefined;
      if (job.status !== 'failed' && job.status !== 'cancelled') {
        throw new SenseError('CONFLICT', `Job ${id} is ${job.status}; only a failed or cancelled job can be retried`);
      }
      if (closing) throw new SenseError('CONFLICT', 'Stash Sense is shutting down; the job was not retried');
      publish(store.requeueJob(id, { retry: true }));
      logger.info('job retried', { jobId: id, kind: job.kind });
      dispatch();
      return store.getJob(id);
    },
    subscribe(id) {
      if (!store.getJob(id)) throw new SenseError('NOT_FOUND', `Job ${id} does not exist`);
      return hub.subscribe(id, () => store.getJob(id));
    },
    async waitForJob(id) {
      let last: Job | undefined;
      for await (const job of runner.subscribe(id)) last = job;
      return last!;
    },
    close() {
      closing ??= (async () => {
        for (const entry of running.values()) stop(entry, 'shutdown', 'Stash Sense is shutting down');
        const handlersStopped = Promise.allSettled([...running.values()].map((entry) => entry.done));
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
        });
        const outcome = await Promise.race([handlersStopped, timeout]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          logger.warn('jobs still running at shutdown; they resume on the next start', { jobIds: [...running.keys()] });
        }
        hub.closeAll();
        claim.release();
        logger.info('job runner closed');
      })();
      return closing;
    },
  };
  return runner;
}

function normaliseHandlers<Kinds>(handlers: JobHandlers<Kinds>): Map<string, KindHandler> {
  const byKind = new Map<string, KindHandler>();
  for (const [kind, handler] of Object.entries(handlers) as [string, JobHandlers<Kinds>[keyof Kinds]][]) {
    const entry = typeof handler === 'function' ? { resources: [], run: handler } : { resources: handler.resources ?? [], run: handler.run };
    byKind.set(kind, entry as KindHandler);
  }
  return byKind;
}

function toJobError(error: unknown): JobError {
  if (isSenseError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: errorMessage(error) };
}
