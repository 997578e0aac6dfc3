import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';

const run = promisify(execFile);
const temp = makeTempDir();
afterAll(() => temp.remove());

async function serve(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'serve'], { env: { ...process.env, DATA_DIR: join(temp.path, 'data'), PORT: '0', HOST: '127.0.0.1', ...env }, timeout: 60_000 });
    return { code: 0, stderr: '' };
  } catch (error: unknown) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe('start-up errors', () => {
  it('a bad setting stops start-up with one line per variable', async () => {
    const { code, stderr } = await serve({ PORT: 'abc', EXECUTION_PROVIDER: 'gpu' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT: "abc" is not a port number');
    expect(stderr).toContain('EXECUTION_PROVIDER: "gpu" is not one of auto, cuda, cpu');
  });

  it('the tattoo signal stops start-up with a clear line: it is not in this build', async () => {
    const { code, stderr } = await serve({ ENABLE_TATTOO_SIGNAL: 'true' });
    expect(code).toBe(2);
    expect(stderr).toContain('ENABLE_TATTOO_SIGNAL: the tattoo signal is not available in this build');
  });

  it('a missing model file is named, with the command that fetches it', async () => {
    const models = join(temp.path, 'models-missing');
    mkdirSync(models);
    copyFileSync(join(repoRoot, 'models/fr_detect.onnx'), join(models, 'fr_detect.onnx'));
    const { code, stderr } = await serve({ MODELS_DIR: models });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/fr_landmark\.onnx/);
    expect(stderr).toMatch(/models:fetch|models fetch/);
  });

  it('a corrupt model file is named too', async () => {
    const models = join(temp.path, 'models-corrupt');
    mkdirSync(models);
    for (const name of ['fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx']) copyFileSync(join(repoRoot, 'models', name), join(models, name));
    writeFileSync(join(models, 'fr_feature.onnx'), Buffer.alloc(4884269, 7));
    const { code, stderr } = await serve({ MODELS_DIR: models });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/fr_feature\.onnx/);
    expect(stderr).not.toMatch(/unexpected error/i);
  });
});
