// Runs the entrypoint the Dockerfile writes, as Docker would: as root (the default), or as a --user.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heredocFile, readDockerfile } from './deploy-files.js';

const isRoot = process.getuid?.() === 0;
const entrypointScript = heredocFile(readDockerfile(), '/usr/local/bin/stash-sense-entrypoint');

describe.skipIf(!isRoot)('container entrypoint', () => {
  let work: string;
  let entrypoint: string;
  let dataDir: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'stash-sense-entrypoint-'));
    chmodSync(work, 0o755);
    entrypoint = join(work, 'entrypoint');
    writeFileSync(entrypoint, entrypointScript, { mode: 0o755 });
    dataDir = join(work, 'data');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const run = (env: Record<string, string>, command: string[], asUser?: string) => {
    const argv = asUser ? ['setpriv', `--reuid=${asUser.split(':')[0]}`, `--regid=${asUser.split(':')[1]}`, '--clear-groups', '--', entrypoint, ...command] : [entrypoint, ...command];
    return spawnSync(argv[0] ?? '', argv.slice(1), { env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env }, encoding: 'utf8' });
  };

  it('runs the command as 99:100 by default and hands it a writable DATA_DIR that Docker created as root', () => {
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'stash_sense.db'), 'state');
    const result = run({}, ['sh', '-c', 'id -u; id -g; touch "$DATA_DIR/stash_sense.db" "$DATA_DIR/new-file"']);
    expect(result.stderr).not.toMatch(/denied/);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['99', '100']);
    for (const path of [dataDir, join(dataDir, 'stash_sense.db'), join(dataDir, 'new-file')]) {
      expect([statSync(path).uid, statSync(path).gid]).toEqual([99, 100]);
    }
  });

  it('runs as PUID:PGID when they are set', () => {
    const result = run({ PUID: '1000', PGID: '1000' }, ['sh', '-c', 'id -u; id -g']);
    expect(result.stdout.trim().split('\n')).toEqual(['1000', '1000']);
    expect(statSync(dataDir).uid).toBe(1000);
  });

  it('refuses to run the service as root or with a PUID that is not a number', () => {
    expect(run({ PUID: '0' }, ['true']).status).toBe(64);
    const bad = run({ PUID: 'nobody' }, ['true']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('PUID and PGID must be numbers');
  });

  it('started with --user, runs the command when DATA_DIR is writable and explains the fix when it is not', () => {
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const refused = run({}, ['sh', '-c', 'echo started'], '99:100');
    expect(refused.status).toBe(1);
    expect(refused.stdout).not.toContain('started');
    expect(refused.stderr).toContain('is not writable by uid 99 gid 100');
    expect(refused.stderr).toContain('chown -R 99:100');

    chmodSync(dataDir, 0o777);
    const allowed = run({}, ['sh', '-c', 'id -u'], '99:100');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout.trim()).toBe('99');
  });
});
