import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PIXEL_INPUT, foldPixelPreprocessing } from '../../src/vision/onnx-pixel-input.js';
import { repoRoot } from '../helpers/fixtures.js';
import { lcgImage } from './helpers/images.js';

const model = (name: string) => readFileSync(join(repoRoot, 'models', name));

async function maxDifference(original: Uint8Array, folded: Uint8Array, input: Float32Array, dims: number[], pixels: Uint8Array, pixelDims: number[]): Promise<number> {
  const before = await ort.InferenceSession.create(original);
  const after = await ort.InferenceSession.create(folded);
  try {
    const a = await before.run({ [before.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
    const b = await after.run({ [PIXEL_INPUT]: new ort.Tensor('uint8', pixels, pixelDims) });
    let max = 0;
    for (const name of before.outputNames) {
      const x = a[name]!.data as Float32Array;
      const y = b[name]!.data as Float32Array;
      expect(y.length).toBe(x.length);
      for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
    }
    return max;
  } finally {
    await before.release();
    await after.release();
  }
}

describe('pixel preprocessing folded into the graph', () => {
  it('gives the detector exactly what (v − 127) / 128 in NCHW gave it', async () => {
    const image = lcgImage(320, 240, 7);
    const plane = 320 * 240;
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = (image.data[i * 3 + c]! - 127) / 128;
    const folded = foldPixelPreprocessing(model('fr_detect.onnx'), { kind: 'rgb', mean: 127, std: 128 });
    expect(await maxDifference(model('fr_detect.onnx'), folded, input, [1, 3, 240, 320], image.data, [1, 240, 320, 3])).toBe(0);
  });

  it('gives the landmark model its grey crop within float rounding', async () => {
    const image = lcgImage(64, 64, 3);
    const input = new Float32Array(64 * 64);
    for (let i = 0; i < input.length; i++) input[i] = (0.299 * image.data[i * 3]! + 0.587 * image.data[i * 3 + 1]! + 0.114 * image.data[i * 3 + 2]!) / 256;
    const folded = foldPixelPreprocessing(model('fr_landmark.onnx'), { kind: 'grey', weights: [0.299 / 256, 0.587 / 256, 0.114 / 256] });
    expect(await maxDifference(model('fr_landmark.onnx'), folded, input, [1, 1, 64, 64], image.data, [1, 64, 64, 3])).toBeLessThan(1e-4);
  });

  it('refuses a model whose input is not N×C×H×W with the channels asked for', () => {
    expect(() => foldPixelPreprocessing(model('fr_landmark.onnx'), { kind: 'rgb', mean: 0, std: 1 })).toThrow(/not N×3×H×W/);
  });
});
