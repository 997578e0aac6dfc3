// The Python stash-sense sidecar's models, preprocessed exactly as it does (reference/upstream-pipeline.md §1),
// so faces embedded here land next to the vectors of its published database: SCRFD det_500m, the ArcFace
// 5-point alignment (the pipeline's, with OpenCV's warp), FaceNet512 and ArcFace, both flip-averaged.
import { readFile } from 'node:fs/promises';
import { SenseError } from '../errors.js';
import type { ModelPaths } from '../models/index.js';
import type { ProfileModels, ProfileOpenOptions } from './models.js';
import type { ModelSession } from './onnx-sessions.js';
import { createOnnxEmbedder, nhwcRgbInput, type EmbedderInput, type FlipMerge } from './onnx-embedder.js';
import { createScrfdDetector, SCRFD_DEFAULTS } from './scrfd-detector.js';
import { warpAffineOpenCv } from './opencv-warp.js';

export interface StashSenseEmbedderSpec {
  /** The embedding model's name in the face database; also the manifest role of its file. */
  name: 'facenet' | 'arcface';
  dims: number;
  input: EmbedderInput;
  flipMerge: FlipMerge;
}

/**
 * Both models take NHWC RGB crops — the embedders, unlike the detector, get the channels in the order
 * stash-sense has them (RGB from PIL); DeepFace itself would have fed BGR, but the database was built the
 * stash-sense way. Upstream averages the raw outputs of a crop and its mirror image and never normalises
 * (Voyager does, when searching), so we merge raw outputs too and normalise the mean.
 */
export const STASH_SENSE_EMBEDDERS: readonly StashSenseEmbedderSpec[] = [
  { name: 'facenet', dims: 512, input: nhwcRgbInput(160, 127.5, 127.5), flipMerge: 'raw' },
  { name: 'arcface', dims: 512, input: nhwcRgbInput(112, 127.5, 128), flipMerge: 'raw' },
];

/** det_500m.onnx (role `detector`), facenet512.onnx (`facenet`) and arcface.onnx (`arcface`). */
export async function openStashSenseProfile(options: ProfileOpenOptions): Promise<ProfileModels> {
  const { paths, sessions } = options;
  const opened: ModelSession[] = [];
  const open = async (role: string, warmUpShape?: readonly number[]) => {
    const session = await sessions.create(await readModel(paths, role), { name: role, warmUpShape });
    opened.push(session);
    return session;
  };
  try {
    const detector = createScrfdDetector(await open('detector', [1, 3, SCRFD_DEFAULTS.inputSize, SCRFD_DEFAULTS.inputSize]), { ...SCRFD_DEFAULTS, threshold: options.detectionThreshold });
    const embedders = [];
    // The Keras exports have a free batch dimension, so no patching is needed to batch faces.
    for (const spec of STASH_SENSE_EMBEDDERS) {
      embedders.push(createOnnxEmbedder(await open(spec.name), { ...spec, maxBatch: Math.max(1, options.embedBatchSize) }));
    }
    return {
      detector,
      landmarks: undefined,
      embedders,
      // insightface's norm_crop is cv2.warpAffine of the least-squares similarity onto the same template.
      warp: warpAffineOpenCv,
      close: async () => {
        await Promise.allSettled(opened.map((session) => session.release()));
      },
    };
  } catch (error: unknown) {
    await Promise.allSettled(opened.map((session) => session.release()));
    throw error;
  }
}

async function readModel(paths: ModelPaths, role: string): Promise<Uint8Array> {
  const path = paths[role];
  if (!path) throw new SenseError('MODEL_MISSING', `The model manifest names no "${role}" file for the stash-sense profile.`);
  return readFile(path);
}
