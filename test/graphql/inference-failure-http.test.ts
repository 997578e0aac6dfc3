import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { CUDA_FAILURES_BEFORE_FALLBACK } from '../../src/vision/index.js';
import { openTestApp } from '../helpers/app.js';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { failingCuda } from '../vision/helpers/failing-cuda.js';

const base64 = readFileSync(join(facesDir, 'people/obama/02.jpg')).toString('base64');
const identify = 'mutation Identify($base64: String) { identifyImage(base64: $base64) { faces { score } } }';
const health = '{ health { executionProvider executionProviderReason } }';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(provider: 'auto' | 'cuda') {
  const temp = makeTempDir();
  cleanups.push(async () => temp.remove());
  const { app } = await openTestApp(join(temp.path, 'data'), { EXECUTION_PROVIDER: provider }, { visionDeps: { sessionBackend: failingCuda('serving') } });
  cleanups.push(() => app.close());
  const server = await startTestServer(app as App);
  cleanups.push(() => server.close());
  return server;
}

type Faces = { identifyImage: { faces: { score: number }[] } };
type HealthData = { health: { executionProvider: string; executionProviderReason: string } };

describe('a model failing on the GPU, over HTTP', () => {
  it('is INFERENCE_FAILED naming the provider, not "Unexpected error."', async () => {
    const server = await serve('cuda');
    const result = await server.graphql<Faces>(identify, { base64 });
    expect(result.errors?.[0]?.extensions?.code).toBe('INFERENCE_FAILED');
    expect(result.errors?.[0]?.message).toMatch(/^The detector model failed on the cuda execution provider: \S/);
  });

  it('under auto, a run of failures moves to the CPU: the request then succeeds and health says why', async () => {
    const server = await serve('auto');
    expect((await server.graphql<HealthData>(health)).data?.health.executionProvider).toBe('cuda');
    for (let i = 1; i < CUDA_FAILURES_BEFORE_FALLBACK; i++) {
      expect((await server.graphql<Faces>(identify, { base64 })).errors?.[0]?.extensions?.code).toBe('INFERENCE_FAILED');
    }
    const result = await server.graphql<Faces>(identify, { base64 });
    expect(result.errors).toBeUndefined();
    expect(result.data?.identifyImage.faces).toHaveLength(1);
    const after = (await server.graphql<HealthData>(health)).data?.health;
    expect(after?.executionProvider).toBe('cpu');
    expect(after?.executionProviderReason).toMatch(/^CUDA execution provider failed: the detector model failed \d+ times in a row: \S/);
  });
});
