import { readFile } from 'node:fs/promises';
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelPaths } from '../models/index.js';
import type { ProfileModels, ProfileOpenOptions } from './models.js';
import type { ModelSession, SessionFactory } from './onnx-sessions.js';
import { createUltraLightDetector, ULTRA_LIGHT_DEFAULTS } from './ultra-light-detector.js';
import { createLandmark68Locator } from './landmark-68-locator.js';
import { createOnnxEmbedder, nchwRgbInput } from './onnx-embedder.js';
import { makeBatchDimensionDynamic } from './onnx-batch-patch.js';

export const EMBEDDED_EMBEDDING_MODEL = { name: 'embedded', dims: 512 } as const;

/**
 * fr_detect + fr_landmark + fr_feature from faceplugin-face-recognition-js (see reference/embedded-models.md).
 * All three fix their batch dimension at 1; we patch it at load so a frame's tiles, its faces' landmark crops
 * and the embedder's crops each run as one batch (the patched graphs give the same values, test/vision).
 */
export async function openEmbeddedProfile(options: ProfileOpenOptions): Promise<ProfileModels> {
  const { paths, sessions, logger } = options;
  const opened: ModelSession[] = [];
  const open = async (model: Uint8Array, name: string, batch: number) => {
    const batched = await openBatched(model, name, batch, sessions, logger);
    opened.push(batched.session);
    return batched;
  };
  try {
    const detector = await open(await readModel(paths, 'detector'), 'detector', DETECTOR_BATCH);
    const landmarks = await open(await readModel(paths, 'landmarks'), 'landmarks', LANDMARK_BATCH);
    const embedder = await open(await readModel(paths, 'embedder'), 'embedder', options.embedBatchSize);
    return {
      detector: createUltraLightDetector(detector.session, { ...ULTRA_LIGHT_DEFAULTS, threshold: options.detectionThreshold, maxBatch: detector.maxBatch }),
      landmarks: createLandmark68Locator(landmarks.session, { maxBatch: landmarks.maxBatch }),
      embedders: [
        createOnnxEmbedder(embedder.session, { ...EMBEDDED_EMBEDDING_MODEL, maxBatch: embedder.maxBatch, input: nchwRgbInput(112, 127, 128) }),
      ],
      close: () => releaseAll(opened),
    };
  } catch (error: unknown) {
    await releaseAll(opened);
    throw error;
  }
}

/**
 * Regions per detector run: a 1080p frame is the whole frame plus about 6 tiles (tiling.ts), and a frame's
 * tile-only faces add 2 context windows each; 16 holds that in one run and bounds the input at 15 MB.
 */
const DETECTOR_BATCH = 16;
/** Landmark crops per run (64×64 grey, 16 kB each): a frame's faces in one run. */
const LANDMARK_BATCH = 32;

/**
 * Opens the batch-patched graph, proven by its start-up inference on a batch of two; when the patched graph
 * does not run (INFERENCE_FAILED), the model runs one input at a time instead.
 */
async function openBatched(
  model: Uint8Array,
  name: string,
  batchSize: number,
  sessions: SessionFactory,
  logger: Logger,
): Promise<{ session: ModelSession; maxBatch: number }> {
  if (batchSize > 1) {
    try {
      const patched = makeBatchDimensionDynamic(model);
      const session = await sessions.create(patched.model, { name, warmUpBatch: 2 });
      return { session, maxBatch: batchSize };
    } catch (error: unknown) {
      if (!isSenseError(error) || error.code !== 'INFERENCE_FAILED') throw error;
      logger.warn('model batching unavailable, running inputs one by one', { model: name, error: error.message });
    }
  }
  return { session: await sessions.create(model, { name }), maxBatch: 1 };
}

async function readModel(paths: ModelPaths, role: string): Promise<Uint8Array> {
  const path = paths[role];
  if (!path) throw new SenseError('MODEL_MISSING', `The model manifest names no "${role}" file for this profile.`);
  return readFile(path);
}

async function releaseAll(sessions: readonly ModelSession[]): Promise<void> {
  await Promise.allSettled(sessions.map((session) => session.release()));
}
