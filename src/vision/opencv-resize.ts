// OpenCV's `cv::resize` for 8-bit RGB with INTER_LINEAR or INTER_AREA (upscaling), reproduced value for value:
// the stash-sense models were fed through it (the SCRFD letterbox, FaceNet's 112 → 160 upscale), and a kernel
// that merely looks the same (sharp's linear or area filter) shifts pixel values and so the embeddings.
import type { RgbImage } from './types.js';

export type OpenCvInterpolation = 'linear' | 'area';

/** 11-bit fixed-point coefficients (INTER_RESIZE_COEF_BITS). */
const COEF_SCALE = 1 << 11;

/**
 * OpenCV's generic fixed-point resize path (`resizeGeneric_` with HResizeLinear / VResizeLinear) as it runs on
 * x86 without IPP. INTER_AREA is only the true box filter when shrinking; when enlarging — the only way it is
 * used here — OpenCV runs this bilinear path with "area" weights, and so does this function. Shrinking with
 * 'area' is refused rather than approximated.
 */
export function resizeOpenCv(image: RgbImage, width: number, height: number, interpolation: OpenCvInterpolation): RgbImage {
  const { width: srcWidth, height: srcHeight, data } = image;
  if (!(width > 0 && height > 0 && srcWidth > 0 && srcHeight > 0)) throw new Error('resizeOpenCv: empty image or target');
  if (interpolation === 'area' && (width < srcWidth || height < srcHeight)) {
    throw new Error('resizeOpenCv: INTER_AREA shrinking (a box filter) is not implemented; only enlarging is');
  }
  if (width === srcWidth && height === srcHeight) return { data: new Uint8Array(data), width, height };
  if (interpolation === 'linear' && srcWidth === 2 * width && srcHeight === 2 * height) return halve(image);
  const channels = 3;
  const xTaps = taps(srcWidth, width, interpolation, true);
  const yTaps = taps(srcHeight, height, interpolation, false);
  const rowWidth = width * channels;

  // Horizontal pass per source row (cached: consecutive output rows share source rows), exact integers.
  const rowCache = new Map<number, Int32Array>();
  const horizontal = (sy: number): Int32Array => {
    let row = rowCache.get(sy);
    if (row) return row;
    row = new Int32Array(rowWidth);
    const base = sy * srcWidth * channels;
    for (let dx = 0; dx < width; dx++) {
      const sx = xTaps.index[dx]!;
      const a0 = xTaps.weight0[dx]!;
      const a1 = xTaps.weight1[dx]!;
      const left = base + sx * channels;
      const right = sx + 1 < srcWidth ? left + channels : left;
      for (let c = 0; c < channels; c++) row[dx * channels + c] = data[left + c]! * a0 + data[right + c]! * a1;
    }
    if (rowCache.size > 4) rowCache.clear();
    rowCache.set(sy, row);
    return row;
  };

  const out = new Uint8Array(rowWidth * height);
  for (let dy = 0; dy < height; dy++) {
    const sy = yTaps.index[dy]!;
    const s0 = horizontal(clip(sy, srcHeight));
    const s1 = horizontal(clip(sy + 1, srcHeight));
    const b0 = yTaps.weight0[dy]!;
    const b1 = yTaps.weight1[dy]!;
    const target = dy * rowWidth;
    // The vector code (VResizeLinearVec_32s8u) does every value of a row, with its own rounding: drop 4 bits,
    // keep the high 16 bits of each 16×16-bit product, then round off 2 more bits. Checked bit for bit against
    // cv2 4.6 for shrinking, enlarging, odd widths and INTER_AREA upscales (test/vision/opencv-resize.test.ts).
    for (let x = 0; x < rowWidth; x++) {
      const value = (((s0[x]! >> 4) * b0) >> 16) + (((s1[x]! >> 4) * b1) >> 16);
      out[target + x] = clampByte((value + 2) >> 2);
    }
  }
  return { data: out, width, height };
}

/** An exact 2× shrink: OpenCV switches INTER_LINEAR to its fast area path, a rounded mean of each 2×2 block. */
function halve(image: RgbImage): RgbImage {
  const width = image.width / 2;
  const height = image.height / 2;
  const { data } = image;
  const stride = image.width * 3;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const top = 2 * y * stride + 2 * x * 3;
      const bottom = top + stride;
      for (let c = 0; c < 3; c++) {
        out[(y * width + x) * 3 + c] = (data[top + c]! + data[top + 3 + c]! + data[bottom + c]! + data[bottom + 3 + c]! + 2) >> 2;
      }
    }
  }
  return { data: out, width, height };
}

interface Taps {
  index: Int32Array;
  weight0: Int32Array;
  weight1: Int32Array;
}

/** Source index and the two 11-bit weights for each destination index, with OpenCV's float32 arithmetic. */
function taps(srcSize: number, dstSize: number, interpolation: OpenCvInterpolation, clampEdges: boolean): Taps {
  const inverseScale = dstSize / srcSize;
  const scale = 1 / inverseScale;
  const index = new Int32Array(dstSize);
  const weight0 = new Int32Array(dstSize);
  const weight1 = new Int32Array(dstSize);
  for (let d = 0; d < dstSize; d++) {
    let s: number;
    let f: number;
    if (interpolation === 'linear') {
      f = Math.fround((d + 0.5) * scale - 0.5);
      s = Math.floor(f);
      f = Math.fround(f - s);
    } else {
      s = Math.floor(d * scale);
      f = Math.fround(d + 1 - (s + 1) * inverseScale);
      f = f <= 0 ? 0 : Math.fround(f - Math.floor(f));
    }
    // Columns past an edge are clamped with weight 0; rows are not: OpenCV keeps the row weights and reads the
    // edge row twice, which rounds differently in the vector code.
    if (clampEdges && s < 0) {
      s = 0;
      f = 0;
    }
    if (clampEdges && s >= srcSize - 1) {
      s = srcSize - 1;
      f = 0;
    }
    index[d] = s;
    weight0[d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    weight1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return { index, weight0, weight1 };
}

/** saturate_cast<short>(float) rounds like lrint: halves to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function clip(index: number, size: number): number {
  return index < 0 ? 0 : index >= size ? size - 1 : index;
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
