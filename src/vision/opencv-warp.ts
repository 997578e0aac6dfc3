// OpenCV's `cv::warpAffine` for 8-bit RGB, INTER_LINEAR, BORDER_CONSTANT 0, reproduced value for value: the
// crops in the upstream stash-sense database came out of insightface's norm_crop, which is this call. Unlike a
// float bilinear warp, OpenCV snaps each source position to 1/32 pixel and blends with 15-bit weights.
import type { Affine } from './similarity.js';
import type { RgbImage } from './types.js';

const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;
const REMAP_BITS = 15;
const REMAP_SCALE = 1 << REMAP_BITS;

/** `matrix` maps source to destination pixels, as cv2.warpAffine's M without WARP_INVERSE_MAP. */
export function warpAffineOpenCv(image: RgbImage, matrix: Affine, width: number, height: number): RgbImage {
  const inverse = invertLikeOpenCv(matrix);
  const { data: src, width: srcWidth, height: srcHeight } = image;
  const out = new Uint8Array(width * height * 3);
  const xDelta = new Int32Array(width);
  const yDelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    xDelta[x] = roundHalfEven(inverse[0] * x * AB_SCALE);
    yDelta[x] = roundHalfEven(inverse[3] * x * AB_SCALE);
  }
  for (let y = 0; y < height; y++) {
    const x0 = roundHalfEven((inverse[1] * y + inverse[2]) * AB_SCALE) + ROUND_DELTA;
    const y0 = roundHalfEven((inverse[4] * y + inverse[5]) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++) {
      const fixedX = (x0 + xDelta[x]!) >> (AB_BITS - INTER_BITS);
      const fixedY = (y0 + yDelta[x]!) >> (AB_BITS - INTER_BITS);
      const sx = fixedX >> INTER_BITS;
      const sy = fixedY >> INTER_BITS;
      const target = (y * width + x) * 3;
      // Entirely outside (not even one neighbour inside): the border value.
      if (sx >= srcWidth || sx + 1 < 0 || sy >= srcHeight || sy + 1 < 0) continue;
      // The bilinear weights of a 1/32 grid are exact in 15 bits and sum to 32768.
      const fx = (fixedX & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE;
      const fy = (fixedY & (INTER_TAB_SIZE - 1)) / INTER_TAB_SIZE;
      const w00 = Math.round((1 - fy) * (1 - fx) * REMAP_SCALE);
      const w01 = Math.round((1 - fy) * fx * REMAP_SCALE);
      const w10 = Math.round(fy * (1 - fx) * REMAP_SCALE);
      const w11 = Math.round(fy * fx * REMAP_SCALE);
      const inX0 = sx >= 0 && sx < srcWidth;
      const inX1 = sx + 1 >= 0 && sx + 1 < srcWidth;
      const inY0 = sy >= 0 && sy < srcHeight;
      const inY1 = sy + 1 >= 0 && sy + 1 < srcHeight;
      const row0 = sy * srcWidth;
      const row1 = row0 + srcWidth;
      for (let c = 0; c < 3; c++) {
        const v00 = inY0 && inX0 ? src[(row0 + sx) * 3 + c]! : 0;
        const v01 = inY0 && inX1 ? src[(row0 + sx + 1) * 3 + c]! : 0;
        const v10 = inY1 && inX0 ? src[(row1 + sx) * 3 + c]! : 0;
        const v11 = inY1 && inX1 ? src[(row1 + sx + 1) * 3 + c]! : 0;
        const value = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + (1 << (REMAP_BITS - 1))) >> REMAP_BITS;
        out[target + c] = value > 255 ? 255 : value;
      }
    }
  }
  return { data: out, width, height };
}

/** cv::warpAffine's own inversion (double precision, in its order of operations). */
function invertLikeOpenCv(matrix: Affine): Affine {
  const [m0, m1, m2, m3, m4, m5] = matrix;
  let det = m0 * m4 - m1 * m3;
  det = det !== 0 ? 1 / det : 0;
  const a = m4 * det;
  const b = m1 * -det;
  const c = m3 * -det;
  const d = m0 * det;
  return [a, b, -a * m2 - b * m5, c, d, -c * m2 - d * m5];
}

/** saturate_cast<int>(double) is cvRound: halves to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
