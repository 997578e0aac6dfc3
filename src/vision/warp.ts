import type { RgbImage } from './types.js';
import { invertAffine, type Affine } from './similarity.js';

/**
 * Warps `image` by `matrix` (source → destination pixel coordinates) into a `width`×`height` RGB image,
 * bilinear, zero outside the source: the semantics of OpenCV's warpAffine with INTER_LINEAR and a constant
 * border, which is how the ArcFace-style embedders were fed during training.
 */
export function warpAffine(image: RgbImage, matrix: Affine, width: number, height: number): RgbImage {
  const [a, b, tx, c, d, ty] = invertAffine(matrix);
  const { data: src, width: srcWidth, height: srcHeight } = image;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + tx;
      const sy = c * x + d * y + ty;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= srcWidth || y0 >= srcHeight) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const inX0 = x0 >= 0;
      const inX1 = x0 + 1 < srcWidth;
      const inY0 = y0 >= 0;
      const inY1 = y0 + 1 < srcHeight;
      const row0 = y0 * srcWidth;
      const row1 = row0 + srcWidth;
      const target = (y * width + x) * 3;
      for (let channel = 0; channel < 3; channel++) {
        let value = 0;
        if (inY0 && inX0) value += w00 * src[(row0 + x0) * 3 + channel]!;
        if (inY0 && inX1) value += w10 * src[(row0 + x0 + 1) * 3 + channel]!;
        if (inY1 && inX0) value += w01 * src[(row1 + x0) * 3 + channel]!;
        if (inY1 && inX1) value += w11 * src[(row1 + x0 + 1) * 3 + channel]!;
        out[target + channel] = Math.round(value);
      }
    }
  }
  return { data: out, width, height };
}

/** Left-right mirror, for flip-averaged embeddings. */
export function mirrorImage(image: RgbImage): RgbImage {
  const { data, width, height } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const from = row + x * 3;
      const to = row + (width - 1 - x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width, height };
}
