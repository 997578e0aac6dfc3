import { readFile } from 'node:fs/promises';
import type * as ort from 'onnxruntime-node';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelPaths } from '../models/index.js';
import type { ProfileModels, ProfileOpenOptions } from './models.js';
import { createUltraLightDetector, ULTRA_LIGHT_DEFAULTS } from './ultra-light-detector.js';
import { createLandmark68Locator } from './landmark-68-locator.js';
import { createOnnxEmbedder, nchwRgbInput } from './onnx-embedder.js';
import { makeBatchDimensionDynamic } from './onnx-batch-patch.js';

export const EMBEDDED_EMBEDDING_MODEL = { name: 'embedded', dims: 512 } as const;

/** fr_detect + fr_landmark + fr_feature from faceplugin-face-recognition-js (see reference/embedded-models.md). */
export async function openEmbeddedProfile(options: ProfileOpenOptions): Promise<ProfileModels> {
  const { paths, sessions, logger } = options;
  const opened: ort.InferenceSession[] = [];
  const open = async (model: Uint8Array) => {
    const session = await sessions.create(model);
    opened.push(session);
    return session;
  };
  try {
    const detectorSession = await open(await readModel(paths, 'detector'));
    const landmarkSession = await open(await readModel(paths, 'landmarks'));
    const embedderModel = await readModel(paths, 'embedder');
    const { session: embedderSession, maxBatch } = await openBatchedEmbedder(embedderModel, options.embedBatchSize, open, logger);
    return {
      detector: createUltraLightDetector(detectorSession, { ...ULTRA_LIGHT_DEFAULTS, threshold: options.detectionThreshold }),
      landmarks: createLandmark68Locator(landmarkSession),
      embedders: [
        createOnnxEmbedder(embedderSession, { ...EMBEDDED_EMBEDDING_MODEL, maxBatch, input: nchwRgbInput(112, 127, 128) }),
      ],
      close: () => releaseAll(opened),
    };
  } catch (error: unknown) {
    await releaseAll(opened);
    throw error;
  }
}

/**
 * The embedder's batch dimension is fixed at 1; we patch it at load so one image's faces run as one batch.
 * A batch of two is tried once: if the patched graph misbehaves, faces run one by one instead.
 */
async function openBatchedEmbedder(
  model: Uint8Array,
  batchSize: number,
  open: (model: Uint8Array) => Promise<ort.InferenceSession>,
  logger: Logger,
): Promise<{ session: ort.InferenceSession; maxBatch: number }> {
  if (batchSize > 1) {
    let session: ort.InferenceSession | undefined;
    try {
      const patched = makeBatchDimensionDynamic(model);
      session = await open(patched.model);
      const probe = createOnnxEmbedder(session, { ...EMBEDDED_EMBEDDING_MODEL, maxBatch: 2, input: nchwRgbInput(112, 127, 128) });
      const blank = { data: new Uint8Array(112 * 112 * 3), width: 112, height: 112 };
      await probe.embed([blank, blank], { flip: false });
      return { session, maxBatch: batchSize };
    } catch (error: unknown) {
      logger.warn('embedder batching unavailable, embedding faces one by one', { error });
      await session?.release().catch(() => undefined);
    }
  }
  return { session: await open(model), maxBatch: 1 };
}

async function readModel(paths: ModelPaths, role: string): Promise<Uint8Array> {
  const path = paths[role];
  if (!path) throw new SenseError('MODEL_MISSING', `The model manifest names no "${role}" file for this profile.`);
  return readFile(path);
}

async function releaseAll(sessions: readonly ort.InferenceSession[]): Promise<void> {
  await Promise.allSettled(sessions.map((session) => session.release()));
}
