import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../src/jobs/index.js';
import { silentLogger } from '../../src/logger.js';
import { openStateDatabase } from '../../src/state/index.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { appendHandlers, readEffects, type AppendInput, type AppendKinds } from './fixtures/append-kind.js';

interface ChildEvent {
  id: string;
  status: string;
  done: number;
}

/** Runs the append job in a child process; `onEvent` may kill it. Resolves with how the child ended. */
async function runInChild(dataDir: string, input: AppendInput, onEvent: (event: ChildEvent, kill: () => void) => void) {
  // tsx as a loader of this node, not the tsx CLI: the CLI runs the script in a grandchild that SIGKILL would miss.
  const script = join(repoRoot, 'test/jobs/fixtures/run-append-job.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, JSON.stringify(input)], {
    cwd: repoRoot,
    env: { ...process.env, JOB_FIXTURE_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const events: ChildEvent[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const event = JSON.parse(line) as ChildEvent;
    events.push(event);
    onEvent(event, () => child.kill('SIGKILL'));
  }
  const [code, signal] = await exited;
  return { code, signal, events, stderr };
}

describe('a job interrupted by SIGKILL', () => {
  let dir: { path: string; remove(): void };
  beforeEach(() => {
    dir = makeTempDir('jobs-crash-');
  });
  afterEach(() => dir.remove());

  const items = 10;
  const expectedLines = Array.from({ length: items }, (_, i) => `item-${i}`);

  async function resumeAndFinish(dataDir: string) {
    const state = await openStateDatabase(dataDir, silentLogger);
    const runner = startJobRunner<AppendKinds>({ state, handlers: appendHandlers, logger: silentLogger });
    try {
      const job = await runner.waitForJob('1');
      const revisions = expectedLines.map((_, i) => state.lastIdentification('scene', String(i))?.revision);
      return { job, steps: runner.jobSteps('1'), revisions };
    } finally {
      await runner.close();
      await state.close();
    }
  }

  it('is finished by a restarted runner, and no step has its effect twice', async () => {
    const effectsFile = join(dir.path, 'effects.log');
    const child = await runInChild(dir.path, { items, effectsFile, delayMs: 80 }, (event, kill) => {
      if (event.done >= 3) kill();
    });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.events.at(-1)?.status).toBe('running');
    expect(readEffects(effectsFile).length).toBeLessThan(items);

    const { job, steps, revisions } = await resumeAndFinish(dir.path);
    expect(job).toMatchObject({ status: 'completed', attempts: 2, progress: { done: items, total: items } });
    expect(readEffects(effectsFile)).toEqual(expectedLines);
    expect(steps.map((step) => step.status)).toEqual(Array(items).fill('done'));
    expect(revisions).toEqual(Array(items).fill(1));
  });

  it('checks an action that happened just before the kill instead of doing it again', async () => {
    const effectsFile = join(dir.path, 'effects.log');
    const child = await runInChild(dir.path, { items, effectsFile, delayMs: 20, crashAfterEffectOf: 2 }, () => {});
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(readEffects(effectsFile)).toEqual(['item-0', 'item-1', 'item-2']);
    const before = await openStateDatabase(dir.path, silentLogger);
    expect(before.jobStore.getStep('1', 'item:2')?.status).toBe('started');
    expect(before.lastIdentification('scene', '2')).toBeUndefined();
    await before.close();

    const { job, revisions } = await resumeAndFinish(dir.path);
    expect(job.status).toBe('completed');
    expect(readEffects(effectsFile)).toEqual(expectedLines);
    expect(revisions).toEqual(Array(items).fill(1));
  });
});
