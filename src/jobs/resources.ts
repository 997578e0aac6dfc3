// Counting semaphores per resource (vision, network). A job kind can hold resources for its whole run, and a
// step can take one for a while; the async context remembers what is held so nested use never deadlocks.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ResourcePools {
  /** Takes one slot of every resource, or none if any is full or has step-level waiters ahead. */
  tryAcquireAll(resources: readonly string[]): boolean;
  releaseAll(resources: readonly string[]): void;
  /** Runs `fn` in an async context that already holds `resources`. */
  runHolding<T>(resources: readonly string[], fn: () => T): T;
  withResource<T>(resource: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
  check(resource: string): void;
  /** Called whenever a slot becomes free (not when it passes straight to a waiter). */
  onRelease(listener: () => void): void;
}

interface Waiter {
  grant(): void;
}

interface Pool {
  name: string;
  limit: number;
  used: number;
  waiters: Waiter[];
}

export function createResourcePools(limits: Record<string, number>): ResourcePools {
  const pools = new Map<string, Pool>();
  for (const [name, limit] of Object.entries(limits)) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency for "${name}" must be a whole number of at least 1, not ${limit}`);
    pools.set(name, { name, limit, used: 0, waiters: [] });
  }
  const held = new AsyncLocalStorage<ReadonlySet<string>>();
  const listeners: (() => void)[] = [];

  const pool = (name: string): Pool => {
    const found = pools.get(name);
    if (!found) throw new RangeError(`unknown resource "${name}"; configured: ${[...pools.keys()].join(', ')}`);
    return found;
  };
  const release = (target: Pool) => {
    const next = target.waiters.shift();
    if (next) {
      next.grant();
      return;
    }
    target.used--;
    for (const listener of listeners) listener();
  };
  const acquire = (target: Pool, signal: AbortSignal): Promise<void> => {
    signal.throwIfAborted();
    if (target.used < target.limit && target.waiters.length === 0) {
      target.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant() {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        target.waiters.splice(target.waiters.indexOf(waiter), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      target.waiters.push(waiter);
    });
  };

  return {
    tryAcquireAll(resources) {
      const wanted = resources.map(pool);
      if (!wanted.every((target) => target.used < target.limit && target.waiters.length === 0)) return false;
      for (const target of wanted) target.used++;
      return true;
    },
    releaseAll(resources) {
      for (const name of resources) release(pool(name));
    },
    runHolding: (resources, fn) => held.run(new Set([...(held.getStore() ?? []), ...resources]), fn),
    async withResource(resource, signal, fn) {
      const target = pool(resource);
      const current = held.getStore() ?? new Set<string>();
      if (current.has(resource)) return fn();
      await acquire(target, signal);
      try {
        return await held.run(new Set([...current, resource]), fn);
      } finally {
        release(target);
      }
    },
    check(resource) {
      pool(resource);
    },
    onRelease(listener) {
      listeners.push(listener);
    },
  };
}
