// A damaged data folder stops start-up with the file named and what to do, and every file in it stays exactly
// as it was: nothing is "repaired" by starting empty, and no index file is removed as a stray.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { state } from '../../src/cli/commands/state.js';
import { loadConfig } from '../../src/config.js';
import { isSenseError } from '../../src/errors.js';
import { openTestApp } from '../helpers/app.js';
import { prepareEnrolledDataDir } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/run-command.js';

const temp = makeTempDir('data-loss-');
const pristine = join(temp.path, 'pristine');
let indexFile = '';
let copies = 0;

beforeAll(async () => {
  await prepareEnrolledDataDir(temp.path, pristine);
  // An enrolment records its vectors in performers.db; a compaction writes them into index files, whose damage
  // these tests need too.
  const { app } = await openTestApp(pristine);
  try {
    await app.faceDatabase.current().compact();
  } finally {
    await app.close();
  }
  indexFile = readdirSync(pristine).find((name) => name.endsWith('.hnsw')) ?? '';
  expect(indexFile).not.toBe('');
});
afterAll(() => temp.remove());

/** Every file in the folder and a hash of its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

function damagedCopy(damage: (dir: string) => void): string {
  const dir = join(temp.path, `copy-${++copies}`);
  cpSync(pristine, dir, { recursive: true });
  damage(dir);
  return dir;
}

const garbage = (file: string) => writeFileSync(file, Buffer.alloc(readFileSync(file).length, 0x5a));
const halve = (file: string) => truncateSync(file, Math.floor(readFileSync(file).length / 2));

const cases: [string, string, (dir: string) => void][] = [
  ['an empty performers.db', 'performers.db', (dir) => truncateSync(join(dir, 'performers.db'), 0)],
  ['a performers.db that is not SQLite', 'performers.db', (dir) => garbage(join(dir, 'performers.db'))],
  ['a truncated performers.db', 'performers.db', (dir) => halve(join(dir, 'performers.db'))],
  ['a missing performers.db beside its index files', 'performers.db', (dir) => rmSync(join(dir, 'performers.db'))],
  ['an empty index file', '.hnsw', (dir) => truncateSync(join(dir, indexFile), 0)],
  ['a corrupt index file', '.hnsw', (dir) => garbage(join(dir, indexFile))],
  ['a missing index file', '.hnsw', (dir) => rmSync(join(dir, indexFile))],
  ['an empty stash_sense.db', 'stash_sense.db', (dir) => truncateSync(join(dir, 'stash_sense.db'), 0)],
  ['a stash_sense.db that is not SQLite', 'stash_sense.db', (dir) => garbage(join(dir, 'stash_sense.db'))],
  ['a truncated stash_sense.db', 'stash_sense.db', (dir) => halve(join(dir, 'stash_sense.db'))],
  ['a missing stash_sense.db beside an existing face database', 'stash_sense.db', (dir) => rmSync(join(dir, 'stash_sense.db'))],
];

describe('a damaged data folder', () => {
  it.each(cases)('%s stops start-up, names the file, and changes nothing', async (_name, named, damage) => {
    const dir = damagedCopy(damage);
    const before = snapshot(dir);
    const error = await openTestApp(dir).then(
      async ({ app }) => {
        await app.close();
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(isSenseError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(named);
    expect(message).toMatch(/restore|rebuild/i);
    expect(snapshot(dir)).toEqual(before);
  });

  it('stops `stash-sense serve` with the message and a failing exit code', async () => {
    const dir = damagedCopy((copy) => truncateSync(join(copy, 'performers.db'), 0));
    const before = snapshot(dir);
    const failure = await promisify(execFile)(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'serve'], {
      env: { ...process.env, DATA_DIR: dir, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', PORT: '0', HOST: '127.0.0.1' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain(`${join(dir, 'performers.db')} cannot be used: it is empty (0 bytes)`);
    expect(failure.stderr).not.toMatch(/unexpected error/i);
    expect(snapshot(dir)).toEqual(before);
  });

  it('starts a truly new data folder empty', async () => {
    const fresh = join(temp.path, 'fresh');
    const { app } = await openTestApp(fresh);
    expect(app.faces().info().faceCount).toBe(0);
    await app.close();
    expect(readdirSync(fresh)).toEqual(expect.arrayContaining(['performers.db', 'stash_sense.db']));
  });

  it('after a lost stash_sense.db, `state init` starts the state over and keeps the face database', async () => {
    const dir = damagedCopy((copy) => rmSync(join(copy, 'stash_sense.db')));
    const before = snapshot(dir);
    const env = { DATA_DIR: dir, MODELS_DIR: join(repoRoot, 'models') };
    const { error } = await runCommand(state, ['init'], env, loadConfig(env));
    expect(error).toBeUndefined();
    const { app } = await openTestApp(dir);
    expect(app.faces().info().faceCount).toBeGreaterThan(0);
    await app.close();
    const after = snapshot(dir);
    for (const [name, hash] of Object.entries(before)) expect(after[name], name).toBe(hash);
    expect(after['stash_sense.db']).toBeDefined();
    // A second init never replaces the file it made.
    const again = await runCommand(state, ['init'], env, loadConfig(env));
    expect(again.error).toMatchObject({ code: 'CONFLICT' });
  });
});
