// A cap on heavy work that answers BUSY instead of queueing: a queue would hold every waiting request's upload
// in memory and let one client line up work for minutes. The client gets a retry hint and tries again.
import { SenseError } from '../errors.js';

export interface WorkGate {
  /** Runs `work` now if a slot is free; otherwise throws BUSY without starting it. */
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly active: number;
}

export interface WorkGateOptions {
  /** What the work is, for the message: "images", "scenes". */
  what: string;
  maxConcurrent: number;
  retryAfterSeconds: number;
}

export function createWorkGate({ what, maxConcurrent, retryAfterSeconds }: WorkGateOptions): WorkGate {
  let active = 0;
  return {
    get active() {
      return active;
    },
    async run(work) {
      if (active >= maxConcurrent) {
        throw new SenseError('BUSY', `Stash Sense is already working on ${maxConcurrent} ${what}; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
      active++;
      try {
        return await work();
      } finally {
        active--;
      }
    },
  };
}

/** `fn` behind `gate`, with the same signature. */
export function gated<A extends unknown[], R>(gate: WorkGate, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => gate.run(() => fn(...args));
}
