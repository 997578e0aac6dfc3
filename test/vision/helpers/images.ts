import type { RgbImage } from '../../../src/vision/index.js';

/** Pseudo-random RGB bytes from the C library's LCG, so a Python script can make the same image. */
export function lcgImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    data[i] = (state >>> 16) & 255;
  }
  return { data, width, height };
}
