import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from '../src/config.js';

function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig: the queue settings (QUEUE_URL and friends)', () => {
  it('without QUEUE_URL keeps the embedded runner', () => {
    expect(loadConfig({}).queue).toMatchObject({ url: null, worker: true, workerOnly: false, concurrency: 1, lockMs: 30_000 });
  });

  it('reads a worker-only host', () => {
    const { queue } = loadConfig({ QUEUE_URL: 'redis://:pw@redis:6379/2', WORKER_ONLY: 'true', WORKER_CONCURRENCY: '3', WORKER_NAME: 'gpu1', QUEUE_LOCK_MS: '60000' });
    expect(queue).toEqual({ url: 'redis://:pw@redis:6379/2', worker: true, workerOnly: true, concurrency: 3, workerName: 'gpu1', lockMs: 60_000 });
  });

  it('refuses a URL that is not Redis, without repeating it (it may hold a password)', () => {
    const problems = problemsOf({ QUEUE_URL: 'http://user:hunter2@redis:6379' });
    expect(problems).toEqual(['QUEUE_URL: is not a redis:// or rediss:// URL']);
    expect(problemsOf({ QUEUE_URL: 'hunter2 not a url' })).toEqual(['QUEUE_URL: is not a URL (expected redis://host:6379)']);
  });

  it('refuses a worker-only host with no queue, or one that is told not to work', () => {
    expect(problemsOf({ WORKER_ONLY: 'true' })).toEqual(['WORKER_ONLY: is true but QUEUE_URL is not set; a worker needs the queue (redis://…)']);
    expect(problemsOf({ QUEUE_URL: 'redis://redis', WORKER_ONLY: 'true', WORKER: 'false' })).toEqual([
      'WORKER_ONLY: is true but WORKER is false; a worker-only process must be a worker',
    ]);
    expect(problemsOf({ WORKER_CONCURRENCY: '0' })).toEqual(['WORKER_CONCURRENCY: "0" is not between 1 and 64']);
  });
});
