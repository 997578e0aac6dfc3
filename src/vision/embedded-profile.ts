import { readFile } from 'node:fs/promises';
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelPaths } from '../models/index.js';
import type { ProfileModels, ProfileOpenOptions } from './models.js';
import type { ModelSession, SessionFactory } from './onnx-sessions.js';
import { createUltraLightDetector, ULTRA_LIGHT_DEFAULTS, ULTRA_LIGHT_PIXELS } from './ultra-light-detector.js';
import { createLandmark68Locator, LANDMARK_68_PIXELS } from './landmark-68-locator.js';
import { createOnnxEmbedder, pixelBytesInput } from './onnx-embedder.js';
import { makeBatchDimensionDynamic } from './onnx-batch-patch.js';
import { foldPixelPreprocessing, type PixelPreprocessing } from './onnx-pixel-input.js';

export const EMBEDDED_EMBEDDING_MODEL = { name: 'embedded', dims: 512 } as const;

/**
 * fr_detect + fr_landmark + fr_feature from faceplugin-face-recognition-js (see reference/embedded-models.md).
 * All three fix their batch dimension at 1; we patch it at load so a frame's tiles, its faces' landmark crops
 * and the embedder's crops each run as one batch (the patched graphs give the same values, test/vision).
 */
export async function openEmbeddedProfile(options: ProfileOpenOptions): Promise<ProfileModels> {
  const { paths, sessions, logger } = options;
  const opened: ModelSession[] = [];
  const open = async (model: Uint8Array, name: string, batch: number, pixels: PixelPreprocessing) => {
    const batched = await openBatched(model, name, batch, pixels, sessions, logger);
    opened.push(batched.session);
    return batched;
  };
  try {
    const detector = await open(await readModel(paths, 'detector'), 'detector', options.detectBatchSize, ULTRA_LIGHT_PIXELS);
    const landmarks = await open(await readModel(paths, 'landmarks'), 'landmarks', options.landmarkBatchSize, LANDMARK_68_PIXELS);
    const embedder = await open(await readModel(paths, 'embedder'), 'embedder', options.embedBatchSize, EMBEDDED_PIXELS);
    return {
      detector: createUltraLightDetector(detector.session, { ...ULTRA_LIGHT_DEFAULTS, threshold: options.detectionThreshold, maxBatch: detector.maxBatch }),
      landmarks: createLandmark68Locator(landmarks.session, { maxBatch: landmarks.maxBatch }),
      embedders: [
        createOnnxEmbedder(embedder.session, { ...EMBEDDED_EMBEDDING_MODEL, maxBatch: embedder.maxBatch, input: pixelBytesInput(112) }),
      ],
      close: () => releaseAll(opened),
    };
  } catch (error: unknown) {
    await releaseAll(opened);
    throw error;
  }
}

/** MobileFaceNet's `(v − 127) / 128` on RGB, folded into its graph. */
const EMBEDDED_PIXELS: PixelPreprocessing = { kind: 'rgb', mean: 127, std: 128 };

/**
 * Opens the batch-patched graph, proven by its start-up inference on a batch of two; when the patched graph
 * does not run (INFERENCE_FAILED), the model runs one input at a time instead. Either way the graph takes
 * pixel bytes and does its own preprocessing.
 */
async function openBatched(
  model: Uint8Array,
  name: string,
  batchSize: number,
  pixels: PixelPreprocessing,
  sessions: SessionFactory,
  logger: Logger,
): Promise<{ session: ModelSession; maxBatch: number }> {
  if (batchSize > 1) {
    try {
      const patched = foldPixelPreprocessing(makeBatchDimensionDynamic(model).model, pixels);
      const session = await sessions.create(patched, { name, warmUpBatch: 2 });
      return { session, maxBatch: batchSize };
    } catch (error: unknown) {
      if (!isSenseError(error) || error.code !== 'INFERENCE_FAILED') throw error;
      logger.warn('model batching unavailable, running inputs one by one', { model: name, error: error.message });
    }
  }
  return { session: await sessions.create(foldPixelPreprocessing(model, pixels), { name }), maxBatch: 1 };
}

async function readModel(paths: ModelPaths, role: string): Promise<Uint8Array> {
  const path = paths[role];
  if (!path) throw new SenseError('MODEL_MISSING', `The model manifest names no "${role}" file for this profile.`);
  return readFile(path);
}

async function releaseAll(sessions: readonly ModelSession[]): Promise<void> {
  await Promise.allSettled(sessions.map((session) => session.release()));
}
