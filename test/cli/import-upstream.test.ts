import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importUpstream } from '../../src/cli/commands/import-upstream.js';
import { loadConfig } from '../../src/config.js';
import { isSenseError } from '../../src/errors.js';
import { openFaceDatabase } from '../../src/faces/index.js';
import { silentLogger } from '../../src/logger.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { runCommand, type CommandRun } from '../helpers/run-command.js';
import { rewriteManifest, writeUpstreamRelease, type ReleasePerformer } from '../upstream/helpers/upstream-release.js';

const dims = 16;
const vector = (seed: number) => Float32Array.from({ length: dims }, (_, d) => Math.sin(seed * 3.7 + d * 1.9));
const models = [
  { name: 'facenet', dims },
  { name: 'arcface', dims },
];
const performers: ReleasePerformer[] = [
  { name: 'Cleo Test', stashIds: [['stashdb', 'cccccccc-0000-4000-8000-000000000003'], ['fansdb', 'fans-cleo']], faces: [vector(1), vector(2)] },
  { name: 'Dora Test', stashIds: [['theporndb', 'tpdb-dora']], faces: [vector(3)] },
];

async function runImport(args: string[], env: Record<string, string>): Promise<CommandRun> {
  return runCommand(importUpstream, args, env, loadConfig(env, { dataDir }));
}

let temp: ReturnType<typeof makeTempDir>;
let release: string;
let dataDir: string;
const stashSense = { MODEL_PROFILE: 'stash-sense' };

beforeEach(async () => {
  temp = makeTempDir('import-upstream-cli-');
  release = join(temp.path, 'release');
  dataDir = join(temp.path, 'data');
  mkdirSync(release);
  await writeUpstreamRelease(release, performers, { gaps: 1 });
});
afterEach(() => temp.remove());

async function installed() {
  const database = await openFaceDatabase({ dataDir, profile: 'stash-sense', models }, silentLogger);
  try {
    const [hit] = database.search('facenet', vector(3), 1);
    const performer = hit ? database.getPerformers([hit.performerId]).get(hit.performerId) : undefined;
    return { info: database.info(), performer };
  } finally {
    await database.close();
  }
}

describe('stash-sense import-upstream', () => {
  it('imports a release with a progress bar and says what it installed', async () => {
    const run = await runImport([release], stashSense);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toMatch(/^Imported upstream release 2026\.02\.12: 2 performer\(s\), 3 face\(s\), 1 face\(s\) without a performer left out in [\d.]+ s\.\n/);
    expect(run.stdout).toContain(`Face database version `);
    // Not a terminal: one line per step every 10 %, ending at the total.
    for (const line of ['checking sha256:', 'converting index facenet:', 'converting index arcface:', 'writing performers: 2/2', 'writing faces: 3/3', 'installing: 1/1']) {
      expect(run.stderr).toContain(line);
    }
    const { info, performer } = await installed();
    expect(info).toMatchObject({ profile: 'stash-sense', performerCount: 2, faceCount: 3 });
    expect(performer).toMatchObject({ name: 'Dora Test', stashIds: [{ endpoint: 'https://theporndb.net/graphql', stashId: 'tpdb-dora' }] });
  });

  it('refuses a release whose checksum does not match and keeps the current database', async () => {
    expect((await runImport([release], stashSense)).error).toBeUndefined();
    const before = (await installed()).info.version;
    const path = join(release, 'face_arcface.voy');
    const bytes = readFileSync(path);
    bytes[200] = bytes[200]! ^ 0x01;
    writeFileSync(path, bytes);
    const run = await runImport([release], stashSense);
    expect(isSenseError(run.error) && run.error.code).toBe('BAD_INPUT');
    expect((run.error as Error).message).toMatch(/face_arcface\.voy does not match manifest\.json: sha256 is [0-9a-f]{64}/);
    expect(run.stdout).toBe('');
    expect((await installed()).info.version).toBe(before);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('.import-'))).toEqual([]);
  });

  it('refuses a release whose counts disagree with its manifest and keeps the current database', async () => {
    expect((await runImport([release], stashSense)).error).toBeUndefined();
    const before = await installed();
    await rewriteManifest(release, (manifest) => {
      manifest.face_count = 5;
    });
    const run = await runImport([release], stashSense);
    expect((run.error as Error).message).toMatch(/face_facenet\.voy holds 4 faces but manifest\.json says 5/);
    expect((await installed()).info.version).toBe(before.info.version);
  });

  it('refuses to run under another model profile, writing nothing', async () => {
    const run = await runImport([release], { MODEL_PROFILE: 'embedded' });
    expect(isSenseError(run.error) && run.error.code).toBe('BAD_INPUT');
    expect((run.error as Error).message).toContain('Set MODEL_PROFILE=stash-sense');
    expect(existsSync(join(dataDir, 'performers.db'))).toBe(false);
  });

  it('explains its usage without a folder', async () => {
    const run = await runImport([], stashSense);
    expect((run.error as Error).message).toContain('Usage: stash-sense import-upstream DIR');
  });
});
