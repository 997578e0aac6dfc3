import { setTimeout as sleep } from 'node:timers/promises';
import { createPubSub } from 'graphql-yoga';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { startJobRunner, type Job, type JobHandlers, type JobPubSub, type JobRunner } from '../../src/jobs/index.js';
import { silentLogger } from '../../src/logger.js';
import { openStateDatabase, type StateDatabase } from '../../src/state/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

type Kinds = {
  work: { items: number; label?: string };
  other: Record<string, never>;
};

/** A promise the test resolves when it chooses. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('job runner', () => {
  let dir: { path: string; remove(): void };
  let state: StateDatabase;
  const runners: JobRunner<Kinds>[] = [];
  beforeEach(async () => {
    dir = makeTempDir('jobs-');
    state = await openStateDatabase(dir.path, silentLogger);
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.close();
    await state.close();
    dir.remove();
  });

  const start = (handlers: JobHandlers<Kinds>, concurrency?: Record<string, number>, pubSub?: JobPubSub) => {
    const runner = startJobRunner<Kinds>({ state, handlers, concurrency, pubSub, logger: silentLogger, shutdownTimeoutMs: 2000 });
    runners.push(runner);
    return runner;
  };
  const idle = async () => {};

  it('runs at most one job at a time on a resource with one slot', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runner = start({
      work: {
        resources: ['vision'],
        run: async () => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await sleep(20);
          inFlight--;
        },
      },
      other: idle,
    });
    const jobs = [1, 2, 3].map(() => runner.enqueueJob('work', { items: 1 }));
    const ended = await Promise.all(jobs.map((job) => runner.waitForJob(job.id)));
    expect(ended.map((job) => job.status)).toEqual(['completed', 'completed', 'completed']);
    expect(maxInFlight).toBe(1);
  });

  it('lets steps of several jobs share a resource up to its slots, and nested use of a held slot goes through', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runner = start(
      {
        work: async (context) => {
          await Promise.all(
            Array.from({ length: context.input.items }, () =>
              context.withResource('network', async () => {
                maxInFlight = Math.max(maxInFlight, ++inFlight);
                await context.withResource('network', () => sleep(15));
                inFlight--;
              }),
            ),
          );
        },
        other: idle,
      },
      { network: 2 },
    );
    const jobs = [runner.enqueueJob('work', { items: 5 }), runner.enqueueJob('work', { items: 5 })];
    const ended = await Promise.all(jobs.map((job) => runner.waitForJob(job.id)));
    expect(ended.map((job) => job.status)).toEqual(['completed', 'completed']);
    expect(maxInFlight).toBe(2);
  });

  it('cancels a queued job at once, and it never runs', async () => {
    const blocker = gate();
    const ran: string[] = [];
    const runner = start({
      work: {
        resources: ['vision'],
        run: async (context) => {
          ran.push(context.job.id);
          await blocker.promise;
        },
      },
      other: idle,
    });
    const first = runner.enqueueJob('work', { items: 1 });
    const second = runner.enqueueJob('work', { items: 1 });
    expect(runner.job(second.id)?.status).toBe('queued');

    expect(runner.cancelJob(second.id)?.status).toBe('cancelled');
    blocker.open();
    expect((await runner.waitForJob(first.id)).status).toBe('completed');
    expect(runner.job(second.id)?.status).toBe('cancelled');
    expect(ran).toEqual([first.id]);
    expect(runner.cancelJob('12345')).toBeUndefined();
  });

  it('cancels a running job between steps', async () => {
    let abortedSeen = false;
    const runner = start({
      work: async (context) => {
        context.signal.addEventListener('abort', () => {
          abortedSeen = true;
        });
        for (let i = 0; i < context.input.items; i++) {
          context.step(`item:${i}`, () => i);
          context.progress({ done: i + 1, total: context.input.items });
          await sleep(5);
        }
      },
      other: idle,
    });
    const job = runner.enqueueJob('work', { items: 10_000 });
    let ended: Job | undefined;
    for await (const event of runner.subscribe(job.id)) {
      if (event.progress.done === 3) runner.cancelJob(job.id);
      ended = event;
    }
    expect(ended).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(abortedSeen).toBe(true);
    const stepsAtEnd = runner.jobSteps(job.id).length;
    expect(stepsAtEnd).toBeGreaterThanOrEqual(3);
    expect(stepsAtEnd).toBeLessThan(10_000);
    await sleep(30);
    expect(runner.jobSteps(job.id)).toHaveLength(stepsAtEnd);
  });

  it('delivers every progress event in order to a subscriber, ending at completion', async () => {
    const pubSub: JobPubSub = createPubSub();
    const published = pubSub.subscribe('job:progress', '1')[Symbol.asyncIterator]();
    const firstPublished = published.next();
    const runner = start(
      {
        work: async (context) => {
          for (let i = 1; i <= context.input.items; i++) {
            await sleep(2);
            context.progress({ done: i, total: context.input.items, current: `item ${i}` });
          }
          return { items: context.input.items };
        },
        other: idle,
      },
      undefined,
      pubSub,
    );
    const job = runner.enqueueJob('work', { items: 5 });
    expect(job.id).toBe('1');
    const events: Job[] = [];
    for await (const event of runner.subscribe(job.id)) events.push(event);

    const revisions = events.map((event) => event.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    const progressed = events.filter((event) => event.status === 'running').map((event) => event.progress.done);
    expect(progressed.slice(-5)).toEqual([1, 2, 3, 4, 5]);
    expect(events.at(-1)).toMatchObject({ status: 'completed', result: { items: 5 }, progress: { done: 5, total: 5, current: 'item 5' } });
    expect(events.filter((event) => event.status === 'completed')).toHaveLength(1);
    expect(((await firstPublished).value as Job).id).toBe('1');
    await published.return?.();
  });

  it('ends a subscription whose reader leaves while the job is idle, and the job carries on', async () => {
    const blocker = gate();
    const runner = start({ work: () => blocker.promise, other: idle });
    const job = runner.enqueueJob('work', { items: 1 });
    const subscription = runner.subscribe(job.id);
    expect((await subscription.next()).value).toMatchObject({ id: job.id, status: 'running' });
    const pending = subscription.next();
    await subscription.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    blocker.open();
    expect((await runner.waitForJob(job.id)).status).toBe('completed');
    expect(() => runner.subscribe('999')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('fails the job with the message of the step that failed', async () => {
    const runner = start({
      work: async (context) => {
        context.step('before', () => 'ok');
        await context.runStep('call', {
          run: async () => {
            if (context.input.label === 'plain') throw new Error('socket hang up');
            throw new SenseError('STASH_UNAVAILABLE', 'Stash at http://stash:9999 did not answer');
          },
        });
        context.step('after', () => 'never');
      },
      other: idle,
    });
    const sense = await runner.waitForJob(runner.enqueueJob('work', { items: 1 }).id);
    expect(sense).toMatchObject({ status: 'failed', error: { code: 'STASH_UNAVAILABLE', message: 'Stash at http://stash:9999 did not answer' } });
    expect(runner.jobSteps(sense.id).map((step) => step.key)).toEqual(['before']);

    const plain = await runner.waitForJob(runner.enqueueJob('work', { items: 1, label: 'plain' }).id);
    expect(plain).toMatchObject({ status: 'failed', error: { code: 'INTERNAL', message: 'socket hang up' } });
  });

  it('retries a failed job from where it stopped, without redoing finished steps', async () => {
    const runs = new Map<string, number>();
    let failOnce = true;
    const runner = start({
      work: async (context) => {
        for (let i = 0; i < context.input.items; i++) {
          await context.runStep(`item:${i}`, {
            run: async () => {
              runs.set(`item:${i}`, (runs.get(`item:${i}`) ?? 0) + 1);
              if (i === 3 && failOnce) {
                failOnce = false;
                throw new SenseError('STASH_UNAVAILABLE', 'Stash is down');
              }
              return i;
            },
          });
        }
      },
      other: idle,
    });
    const job = runner.enqueueJob('work', { items: 6 });
    expect((await runner.waitForJob(job.id)).status).toBe('failed');
    expect(() => runner.retryJob(runner.enqueueJob('other', {}).id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));

    runner.retryJob(job.id);
    const retried = await runner.waitForJob(job.id);
    expect(retried).toMatchObject({ status: 'completed', attempts: 2, error: null });
    expect(Object.fromEntries(runs)).toEqual({ 'item:0': 1, 'item:1': 1, 'item:2': 1, 'item:3': 2, 'item:4': 1, 'item:5': 1 });
  });

  it('on close leaves a running job queued, and the next runner resumes it where it stopped', async () => {
    const runs = new Map<number, number>();
    const handlers: JobHandlers<Kinds> = {
      work: async (context) => {
        for (let i = 0; i < context.input.items; i++) {
          context.step(`item:${i}`, (tx) => {
            runs.set(i, (runs.get(i) ?? 0) + 1);
            tx.saveIdentification({ kind: 'scene', targetId: String(i), databaseVersion: 'v1', result: {}, createdAt: new Date().toISOString() });
          });
          context.progress({ done: i + 1, total: context.input.items });
          await sleep(5);
        }
      },
      other: idle,
    };
    const first = start(handlers);
    const job = first.enqueueJob('work', { items: 12 });
    for await (const event of first.subscribe(job.id)) if (event.progress.done >= 3) break;
    await first.close();
    expect(state.jobStore.getJob(job.id)?.status).toBe('queued');
    const doneBefore = runs.size;
    expect(doneBefore).toBeLessThan(12);

    const second = start(handlers);
    expect(await second.waitForJob(job.id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(runs.size).toBe(12);
    expect(state.lastIdentification('scene', '11')?.revision).toBe(1);
  });

  it('refuses a second runner on the same data directory until the first closes', async () => {
    const first = start({ work: idle, other: idle });
    const other = await openStateDatabase(dir.path, silentLogger);
    try {
      expect(() => startJobRunner<Kinds>({ state: other, handlers: { work: idle, other: idle }, logger: silentLogger })).toThrow(
        expect.objectContaining({ code: 'CONFLICT' }),
      );
      await first.close();
      const next = startJobRunner<Kinds>({ state: other, handlers: { work: idle, other: idle }, logger: silentLogger });
      await next.close();
    } finally {
      await other.close();
    }
  });

  it('fails a stored job whose kind no handler knows any more', async () => {
    const orphan = state.jobStore.insertJob('retired-kind', {});
    const runner = start({ work: idle, other: idle });
    expect(runner.job(orphan.id)).toMatchObject({ status: 'failed', error: { code: 'INTERNAL', message: 'No handler for job kind "retired-kind"' } });
  });

  it('does not compile a handler map that misses a kind', () => {
    // @ts-expect-error `other` has no handler
    const handlers: JobHandlers<Kinds> = { work: idle };
    expect(Object.keys(handlers)).toEqual(['work']);
  });
});
