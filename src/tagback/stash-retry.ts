// A batch job outlives a Stash restart: a step that finds Stash unreachable waits and tries again, with the wait
// growing to a cap, until Stash answers or the job is cancelled. The wait shows in the job's progress.
import { SenseError, isSenseError } from '../errors.js';
import type { JobContext } from '../jobs/index.js';
import type { Logger } from '../logger.js';

export interface StashRetryPolicy {
  /** The first wait; each next one doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * A few seconds at first (a Stash restart), then at most once a minute (a Stash that is down for longer); the
 * Stash client already retries each request a few times before a step sees STASH_UNAVAILABLE.
 */
export const defaultStashRetry: StashRetryPolicy = { initialDelayMs: 2000, maxDelayMs: 60_000 };

/**
 * Runs `attempt` until it stops failing with STASH_UNAVAILABLE. Steps are idempotent (their keys are recorded
 * only on success), so running one again after a failure is safe. `done` is the progress to show meanwhile.
 */
export async function retryWhileStashDown<T>(
  ctx: Pick<JobContext<unknown>, 'signal' | 'progress' | 'job'>,
  policy: StashRetryPolicy,
  logger: Logger,
  state: { done: number; current: string | null },
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error: unknown) {
      if (!isSenseError(error) || error.code !== 'STASH_UNAVAILABLE' || ctx.signal.aborted) throw error;
      const delayMs = Math.min(policy.initialDelayMs * 2 ** (tries - 1), policy.maxDelayMs);
      logger.warn('stash unreachable; the job waits and tries again', { jobId: ctx.job.id, tries, waitMs: delayMs, error: error.message });
      ctx.progress({ done: state.done, current: `waiting for Stash (unreachable, try ${tries}; next in ${Math.ceil(delayMs / 1000)} s)` });
      await sleep(delayMs, ctx.signal);
      ctx.progress({ done: state.done, current: state.current });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new SenseError('CANCELLED', 'The job was cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
