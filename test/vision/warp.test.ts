import { describe, expect, it } from 'vitest';
import { mirrorImage, warpAffine } from '../../src/vision/warp.js';
import type { RgbImage } from '../../src/vision/types.js';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x * 10;
      data[i + 1] = y * 10;
      data[i + 2] = 200;
    }
  }
  return { data, width, height };
}

const pixel = (image: RgbImage, x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

describe('warpAffine', () => {
  it('copies the image under the identity transform', () => {
    const image = gradient(8, 6);
    expect(warpAffine(image, [1, 0, 0, 0, 1, 0], 8, 6).data).toEqual(image.data);
  });

  it('moves content by a translation, with zeros where the source has nothing', () => {
    const image = gradient(8, 6);
    const shifted = warpAffine(image, [1, 0, 2, 0, 1, 1], 8, 6); // source (x, y) lands on (x+2, y+1)
    expect(pixel(shifted, 2, 1)).toEqual(pixel(image, 0, 0));
    expect(pixel(shifted, 7, 5)).toEqual(pixel(image, 5, 4));
    expect(pixel(shifted, 0, 0)).toEqual([0, 0, 0]);
  });

  it('interpolates bilinearly between pixels', () => {
    const image = gradient(8, 6);
    const half = warpAffine(image, [1, 0, -0.5, 0, 1, 0], 4, 4); // destination x samples source x + 0.5
    expect(pixel(half, 1, 2)).toEqual([15, 20, 200]);
  });

  it('scales down (source → destination matrix, like cv2.warpAffine)', () => {
    const image = gradient(8, 8);
    const small = warpAffine(image, [0.5, 0, 0, 0, 0.5, 0], 4, 4);
    expect(pixel(small, 3, 2)).toEqual(pixel(image, 6, 4));
  });
});

describe('mirrorImage', () => {
  it('reverses each row and is its own inverse', () => {
    const image = gradient(5, 3);
    const mirrored = mirrorImage(image);
    expect(pixel(mirrored, 0, 1)).toEqual(pixel(image, 4, 1));
    expect(pixel(mirrored, 4, 2)).toEqual(pixel(image, 0, 2));
    expect(mirrorImage(mirrored).data).toEqual(image.data);
  });
});
