// The CUDA path with a provider that fails (helpers/failing-cuda.ts): every failure is a real ORT error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { createRecordingLogger, silentLogger } from '../../src/logger.js';
import { CUDA_FAILURES_BEFORE_FALLBACK, createVisionPipeline, type VisionConfig } from '../../src/vision/index.js';
import { facesDir, repoRoot } from '../helpers/fixtures.js';
import { failingCuda } from './helpers/failing-cuda.js';

const config: VisionConfig = {
  modelsDir: join(repoRoot, 'models'),
  profile: 'embedded',
  executionProvider: 'auto',
  maxImagePixels: 100_000_000,
  detectionThreshold: 0.65,
  flip: true,
};
const photo = readFileSync(join(facesDir, 'people/obama/02.jpg'));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('CUDA that fails, with a real model on the CPU behind it', () => {
  it('under auto, a model failing its start-up inference moves everything to the CPU with one warning, and requests succeed', async () => {
    const logger = createRecordingLogger();
    const backend = failingCuda('start-up');
    const vision = await createVisionPipeline(config, logger, {}, { sessionBackend: backend });
    try {
      expect(backend.cudaSessions).toBe(1);
      expect(vision.executionProvider).toBe('cpu');
      expect(vision.executionProviderReason).toMatch(/^CUDA execution provider failed: the detector model could not start on it: .*reshape/i);
      const warnings = logger.lines.filter((line) => line.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.fields.reason).toBe(vision.executionProviderReason);
      const analysis = await vision.analyzeImage(photo);
      expect(analysis.faces).toHaveLength(1);
    } finally {
      await vision.close();
    }
  });

  it('under cuda, the same failure stops start-up naming the model and the cause', async () => {
    const error = await failure(createVisionPipeline({ ...config, executionProvider: 'cuda' }, silentLogger, {}, { sessionBackend: failingCuda('start-up') }));
    expect(isSenseError(error)).toBe(true);
    expect((error as Error).message).toMatch(/EXECUTION_PROVIDER is "cuda".*the detector model failed to start on CUDA: .*reshape/i);
  });

  it(`under auto, ${CUDA_FAILURES_BEFORE_FALLBACK} inference failures in a row are coded errors and then the CPU takes over`, async () => {
    const logger = createRecordingLogger();
    const vision = await createVisionPipeline(config, logger, {}, { sessionBackend: failingCuda('serving') });
    try {
      expect(vision.executionProvider).toBe('cuda');
      for (let i = 1; i < CUDA_FAILURES_BEFORE_FALLBACK; i++) {
        const error = await failure(vision.analyzeImage(photo));
        expect(isSenseError(error) && error.code).toBe('INFERENCE_FAILED');
        expect((error as Error).message).toMatch(/^The detector model failed on the cuda execution provider: \S/);
      }
      const analysis = await vision.analyzeImage(photo);
      expect(analysis.faces).toHaveLength(1);
      expect(vision.executionProvider).toBe('cpu');
      expect(vision.executionProviderReason).toMatch(new RegExp(`^CUDA execution provider failed: the detector model failed ${CUDA_FAILURES_BEFORE_FALLBACK} times in a row: \\S`));
      expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.fields.reason)).toEqual([vision.executionProviderReason]);
      expect((await vision.analyzeImage(photo)).faces).toHaveLength(1);
    } finally {
      await vision.close();
    }
  });

  it('under cuda, inference failures stay coded errors naming the provider and never switch', async () => {
    const vision = await createVisionPipeline({ ...config, executionProvider: 'cuda' }, silentLogger, {}, { sessionBackend: failingCuda('serving') });
    try {
      for (let i = 0; i < CUDA_FAILURES_BEFORE_FALLBACK + 1; i++) {
        const error = await failure(vision.analyzeImage(photo));
        expect(isSenseError(error) && error.code).toBe('INFERENCE_FAILED');
        expect((error as Error).message).toMatch(/cuda execution provider/);
      }
      expect(vision.executionProvider).toBe('cuda');
    } finally {
      await vision.close();
    }
  });
});
