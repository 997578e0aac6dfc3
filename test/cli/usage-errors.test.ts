// Every CLI mistake a user can make gets one line that says what to do, and exit code 2 (or 1 for a port in
// use), never a stack trace; and nothing is created where a typo pointed.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appVersion } from '../../src/version.js';
import { facesDir, makeTempDir, readFaceManifest, repoRoot } from '../helpers/fixtures.js';

const temp = makeTempDir();
afterAll(() => temp.remove());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin/stash-sense.js'), ...args],
      { env: { ...process.env, DATA_DIR: join(temp.path, 'data'), MODELS_DIR: join(repoRoot, 'models'), HOST: '127.0.0.1', PORT: '0', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOneLine(run: Run, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at |unexpected error/i);
}

describe('CLI usage mistakes', () => {
  const photo = readFaceManifest().find((entry) => entry.faces === 1)!;

  it('an unknown option is one line with exit code 2', async () => {
    expectOneLine(await cli(['identify', '--jsn', photo.path]), 2, /^stash-sense: identify: unknown option --jsn \(see 'stash-sense help identify'\)$/);
    expectOneLine(await cli(['tag-back', '--bogus']), 2, /^stash-sense: tag-back: unknown option --bogus/);
  });

  it('--top-k -1 and --top-k=-1 are refused in one line', async () => {
    expectOneLine(await cli(['identify', '--top-k', '-1', photo.path]), 2, /--top-k is missing its value/);
    expectOneLine(await cli(['identify', '--top-k=-1', photo.path]), 2, /--top-k must be a whole number from 1 to 100 \(got "-1"\)/);
  });

  it('an unknown command is one line with exit code 2', async () => {
    expectOneLine(await cli(['idenitfy']), 2, /unknown command "idenitfy" \(commands: serve, enroll, identify/);
  });

  it('--version prints the version', async () => {
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`stash-sense ${appVersion}\n`);
  });

  it("help <command> prints that command's help, not the general one", async () => {
    const run = await cli(['help', 'identify']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: stash-sense identify FILE\.\.\./);
    expect(run.stdout).toContain('--top-k N');
    expectOneLine(await cli(['help', 'nope']), 2, /help takes one command name/);
  });

  it('serve --help prints help and exits without starting', async () => {
    const run = await cli(['serve', '--help'], { DATA_DIR: join(temp.path, 'never-created') });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: stash-sense serve/);
    expect(run.stderr).not.toMatch(/listening|loading face database/);
    expect(existsSync(join(temp.path, 'never-created'))).toBe(false);
  });

  it('a data dir that is a file stops start-up naming DATA_DIR (or --data-dir)', async () => {
    const file = join(temp.path, 'not-a-folder');
    writeFileSync(file, 'x');
    expectOneLine(await cli(['serve'], { DATA_DIR: file }).then((run) => ({ ...run, stderr: run.stderr.replace(/^Invalid configuration:\n/, '') })), 2, /^DATA_DIR: .*not-a-folder is a file, not a folder/);
    const viaOption = await cli(['enroll', '--data-dir', file, facesDir]);
    expect(viaOption.code).toBe(2);
    expect(viaOption.stderr).toMatch(/--data-dir: .*not-a-folder is a file, not a folder/);
  });

  it('identify against a data dir that does not exist says so and creates nothing', async () => {
    const typo = join(temp.path, 'dta');
    const run = await cli(['identify', '--data-dir', typo, photo.path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--data-dir: .*dta does not exist, so there is no face database to search/);
    expect(existsSync(typo)).toBe(false);
  });

  it('enrolling a flat folder explains the per-performer layout', async () => {
    const flat = join(temp.path, 'flat');
    mkdirSync(flat);
    copyFileSync(photo.path, join(flat, 'one.jpg'));
    const run = await cli(['enroll', flat]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Nothing to enrol in .*flat: it holds 1 photo\(s\) directly, not in per-performer folders\. Put each performer's photos in a folder named after them/);
    expect(run.stdout).not.toMatch(/Enrolled/);
  });

  describe('a port in use', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('stops start-up with a line naming PORT', async () => {
      const run = await cli(['serve'], { PORT: String(port), DATA_DIR: join(temp.path, 'port-data'), LOG_LEVEL: 'error' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`stash-sense: PORT: ${port} is already in use on 127.0.0.1`);
      expect(run.stderr).not.toMatch(/\n\s+at |EADDRINUSE|unexpected error/i);
    });
  });
});
