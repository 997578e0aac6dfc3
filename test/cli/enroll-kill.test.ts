import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { facesDir, makeTempDir, repoRoot } from '../helpers/fixtures.js';

const run = promisify(execFile);
const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
const cliEnv = { ...process.env, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'warn' };
const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), ...args], { env: cliEnv });

afterAll(() => temp.remove());

async function databaseSnapshot() {
  const { app } = await openTestApp(dataDir);
  try {
    const { performerCount, faceCount, version } = app.faces().info();
    const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(join(facesDir, 'people/biden/02.jpg')) });
    return { performerCount, faceCount, version, biden: result.faces[0]?.candidates[0]?.name ?? null };
  } finally {
    await app.close();
  }
}

/** Starts `enroll` and SIGKILLs it once its progress output shows `when(done, total)`. */
function enrollAndKill(folder: string, when: (done: number, total: number) => boolean): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'enroll', '--data-dir', dataDir, folder], { env: cliEnv });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const match of stderr.matchAll(/enrolling: (\d+)\/(\d+)/g)) {
        if (when(Number(match[1]), Number(match[2]))) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ killed: signal === 'SIGKILL', stderr }));
  });
}

describe('enroll, killed half way', () => {
  const { enrolled } = splitPeople();
  const first = enrolled.filter((photo) => ['biden', 'obama'].includes(photo.identities[0]!));
  const rest = enrolled.filter((photo) => !first.includes(photo));

  it('leaves the database as it was, and usable', async () => {
    writeEnrolmentFolder(join(temp.path, 'first'), first);
    writeEnrolmentFolder(join(temp.path, 'all'), [...first, ...rest]);
    const { stdout } = await cli('enroll', '--data-dir', dataDir, join(temp.path, 'first'));
    expect(stdout).toMatch(/Enrolled \d+ new face/);
    const before = await databaseSnapshot();
    expect(before.biden).toBe('biden');

    // Half way through the photos, and again at the very end, when the one write is under way.
    for (const when of [(done: number, total: number) => done >= total / 2, (done: number, total: number) => done === total]) {
      const outcome = await enrollAndKill(join(temp.path, 'all'), when);
      expect(outcome.killed, outcome.stderr).toBe(true);
      expect(await databaseSnapshot()).toEqual(before);
    }

    // And a complete run afterwards adds the rest without duplicating what was there.
    const { stdout: second } = await cli('enroll', '--data-dir', dataDir, join(temp.path, 'all'));
    expect(second).toMatch(new RegExp(`${first.length} already enrolled`));
    const after = await databaseSnapshot();
    expect(after.faceCount).toBe(before.faceCount + rest.length);
  });
});
