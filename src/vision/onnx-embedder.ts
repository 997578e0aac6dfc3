import * as ort from 'onnxruntime-node';
import type { RgbImage } from './types.js';
import type { FaceEmbedder } from './models.js';
import type { ModelSession } from './onnx-sessions.js';
import { mirrorImage } from './warp.js';
import { l2Normalise } from './vectors.js';
import { resizeOpenCv } from './opencv-resize.js';

/** How one embedding model wants its aligned crops as a tensor: float values, or bytes its graph normalises. */
export type EmbedderInput =
  | {
      type: 'float32';
      valuesPerImage: number;
      shape(batch: number): number[];
      /** Writes one aligned crop's preprocessed values into `target` at `offset`. */
      write(crop: RgbImage, target: Float32Array, offset: number): void;
    }
  | {
      type: 'uint8';
      valuesPerImage: number;
      shape(batch: number): number[];
      write(crop: RgbImage, target: Uint8Array, offset: number): void;
    };

/**
 * How the two vectors of a flipped pair become one: the mean of the two unit vectors (the embedded profile), or
 * the mean of the raw outputs (the Python stash-sense sidecar, whose database holds exactly that direction).
 */
export type FlipMerge = 'normalised' | 'raw';

export interface OnnxEmbedderOptions {
  name: string;
  dims: number;
  maxBatch: number;
  input: EmbedderInput;
  /** Default 'normalised'. */
  flipMerge?: FlipMerge;
}

/**
 * Runs crops through an embedding model in batches of up to `maxBatch` images (a flipped crop counts as one),
 * each crop followed by its mirror image when flipping. Every vector returned is L2-normalised.
 */
export function createOnnxEmbedder(session: ModelSession, options: OnnxEmbedderOptions): FaceEmbedder {
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames[0] ?? 'output';
  const { dims, input } = options;
  const normaliseEach = (options.flipMerge ?? 'normalised') === 'normalised';

  function inputTensor(batch: readonly RgbImage[]): ort.Tensor {
    const values = batch.length * input.valuesPerImage;
    if (input.type === 'uint8') {
      const data = new Uint8Array(values);
      batch.forEach((image, i) => input.write(image, data, i * input.valuesPerImage));
      return new ort.Tensor('uint8', data, input.shape(batch.length));
    }
    const data = new Float32Array(values);
    batch.forEach((image, i) => input.write(image, data, i * input.valuesPerImage));
    return new ort.Tensor('float32', data, input.shape(batch.length));
  }

  async function embedImages(images: readonly RgbImage[], normalise: boolean): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < images.length; start += options.maxBatch) {
      const batch = images.slice(start, start + options.maxBatch);
      const outputs = await session.run({ [inputName]: inputTensor(batch) });
      const out = outputs[outputName]?.data as Float32Array | undefined;
      if (!out || out.length !== batch.length * dims) {
        throw new Error(`${options.name} embedder returned ${out?.length ?? 0} values for ${batch.length} images of ${dims}`);
      }
      for (let i = 0; i < batch.length; i++) {
        const vector = out.slice(i * dims, (i + 1) * dims);
        vectors.push(normalise ? l2Normalise(vector) : vector);
      }
    }
    return vectors;
  }

  return {
    name: options.name,
    dims,
    maxBatch: options.maxBatch,
    async embed(aligned, { flip }) {
      if (aligned.length === 0) return [];
      if (!flip) return embedImages(aligned, true);
      const vectors = await embedImages(
        aligned.flatMap((crop) => [crop, mirrorImage(crop)]),
        normaliseEach,
      );
      return aligned.map((_, i) => {
        const original = vectors[2 * i]!;
        const mirrored = vectors[2 * i + 1]!;
        const merged = new Float32Array(dims);
        for (let d = 0; d < dims; d++) merged[d] = original[d]! + mirrored[d]!;
        return l2Normalise(merged);
      });
    },
  };
}

/**
 * The crop's bytes as they are (N×size×size×3), for a model whose graph normalises them itself
 * (onnx-pixel-input.ts); the aligned crop must already be that size.
 */
export function pixelBytesInput(size: number): EmbedderInput {
  const values = size * size * 3;
  return {
    type: 'uint8',
    valuesPerImage: values,
    shape: (batch) => [batch, size, size, 3],
    write(crop, target, offset) {
      if (crop.width !== size || crop.height !== size) throw new Error(`expected a ${size}×${size} crop, got ${crop.width}×${crop.height}`);
      target.set(crop.data, offset);
    },
  };
}

/**
 * NHWC RGB, `(v − mean) / std`, for models exported from Keras (the stash-sense FaceNet512 and ArcFace). The
 * 112×112 aligned crop is first enlarged to `size` with OpenCV's INTER_AREA, as DeepFace-style preprocessing
 * does; at 112 it is used as it is.
 */
export function nhwcRgbInput(size: number, mean: number, std: number): EmbedderInput {
  const values = size * size * 3;
  return {
    type: 'float32',
    valuesPerImage: values,
    shape: (batch) => [batch, size, size, 3],
    write(crop, target, offset) {
      if (crop.width !== crop.height || crop.width > size) throw new Error(`expected a square crop of at most ${size}, got ${crop.width}×${crop.height}`);
      const { data } = crop.width === size ? crop : resizeOpenCv(crop, size, size, 'area');
      for (let i = 0; i < values; i++) target[offset + i] = (data[i]! - mean) / std;
    },
  };
}
