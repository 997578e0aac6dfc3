// Per-job subscriptions: the job now, then each newer revision, ending after a terminal state. A hand-written
// iterator rather than an async generator, because a generator cannot be returned while it awaits: a GraphQL
// client that disconnects from an idle job would leave its listener behind.
import { TERMINAL_JOB_STATUSES } from '../state/index.js';
import type { Job } from './types.js';

export interface JobEventHub {
  publish(job: Job): void;
  subscribe(id: string, current: () => Job | undefined): AsyncIterableIterator<Job>;
  /** Ends every subscription once what it already holds is read. */
  closeAll(): void;
}

/** A slow reader keeps at most this many events; older progress is dropped first, the terminal event never. */
const MAX_BUFFERED = 256;

export function createJobEventHub(): JobEventHub {
  const listeners = new Map<string, Set<(job: Job) => void>>();
  const enders = new Set<() => void>();
  let closed = false;

  return {
    publish(job) {
      for (const listener of listeners.get(job.id) ?? []) listener(job);
    },
    subscribe(id, current) {
      const buffer: Job[] = [];
      let lastRevision = -1;
      /** No more events are taken: a terminal one arrived, the reader returned, or the hub closed. */
      let finished = false;
      let waiting: ((result: IteratorResult<Job>) => void) | undefined;

      const unlisten = () => {
        finished = true;
        const set = listeners.get(id);
        set?.delete(push);
        if (set?.size === 0) listeners.delete(id);
        enders.delete(end);
      };
      const push = (job: Job) => {
        if (finished || job.revision <= lastRevision) return;
        lastRevision = job.revision;
        if (TERMINAL_JOB_STATUSES.has(job.status)) unlisten();
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: job, done: false });
          return;
        }
        buffer.push(job);
        if (buffer.length > MAX_BUFFERED) {
          const oldest = buffer.findIndex((queued) => !TERMINAL_JOB_STATUSES.has(queued.status));
          if (oldest >= 0) buffer.splice(oldest, 1);
        }
      };
      const end = () => {
        unlisten();
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: undefined, done: true });
        }
      };

      // Listen before reading the snapshot, so nothing published in between is lost.
      listeners.set(id, (listeners.get(id) ?? new Set()).add(push));
      enders.add(end);
      const snapshot = current();
      if (snapshot) push(snapshot);
      if (closed || !snapshot) unlisten();

      const iterator: AsyncIterableIterator<Job> = {
        next() {
          const job = buffer.shift();
          if (job) return Promise.resolve({ value: job, done: false });
          if (finished) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => {
            waiting = resolve;
          });
        },
        return() {
          buffer.length = 0;
          end();
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    closeAll() {
      closed = true;
      for (const end of [...enders]) end();
    },
  };
}
