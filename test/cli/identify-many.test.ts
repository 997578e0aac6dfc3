import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { facesDir, makeTempDir, repoRoot } from '../helpers/fixtures.js';

const run = promisify(execFile);
const temp = makeTempDir();
afterAll(() => temp.remove());

describe('identify with thousands of files', () => {
  it('identifies 2,000 files named on one command line under the default 8 MB stack', async () => {
    // A small real face photo keeps 2,000 inferences quick; the long names make the command line ~150 kB,
    // far past the ~30 kB that once crashed onnxruntime's start-up.
    const photo = join(temp.path, 'face.jpg');
    await sharp(join(facesDir, 'people/obama/02.jpg')).resize({ width: 160 }).jpeg().toFile(photo);
    const folder = join(temp.path, 'a-folder-of-many-photos-with-a-long-name');
    mkdirSync(folder);
    // identify reads an existing data folder (it refuses to create one where a typo pointed it).
    mkdirSync(join(temp.path, 'data'));
    const files = Array.from({ length: 2000 }, (_, i) => join(folder, `photo-of-someone-number-${String(i).padStart(4, '0')}.jpg`));
    for (const file of files) symlinkSync(photo, file);

    const script = `ulimit -s 8192 && exec "${process.execPath}" "${join(repoRoot, 'bin/stash-sense.js')}" identify --json "$@"`;
    const { stdout } = await run('bash', ['-c', script, 'identify', ...files], {
      env: { ...process.env, DATA_DIR: join(temp.path, 'data'), LOG_LEVEL: 'error' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    });
    const results = JSON.parse(stdout) as { file: string; faces?: unknown[]; error?: string }[];
    expect(results.map((result) => result.file)).toEqual(files);
    expect(results.every((result) => result.error === undefined && result.faces?.length === 1)).toBe(true);
  }, 660_000);
});
