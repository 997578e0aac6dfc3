// MODEL_PROFILE=stash-sense with none of its model files: the real `serve` process starts (no restart loop in
// Docker), says what is missing in its log, on /health and on the status page, and stops cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';

const temp = makeTempDir('degraded-start-');
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  temp.remove();
});

describe('serve with the stash-sense profile and no models', () => {
  it('starts degraded instead of exiting, names the missing files, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const dataDir = join(temp.path, 'data');
    child = spawn(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'serve'], {
      env: { ...process.env, MODEL_PROFILE: 'stash-sense', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MODELS_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening url=(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(log);
        if (match) {
          clearInterval(timer);
          resolve(match[1]!);
        }
      }, 100);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`serve exited with ${code}:\n${log}`));
      });
    });
    expect(log).toMatch(/model files missing: running degraded/);
    expect(log).toContain(`modelsDir=${join(dataDir, 'models')}`);

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', model_profile: 'stash-sense', missing_models: ['det_500m.onnx', 'facenet512.onnx', 'arcface.onnx'] });
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('Model files missing: det_500m.onnx, facenet512.onnx, arcface.onnx');
    expect(page).toContain('<code>downloadModels</code>');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toMatch(/stopped/);
  });
});
