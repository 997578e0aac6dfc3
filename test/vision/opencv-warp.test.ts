import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { warpAffineOpenCv } from '../../src/vision/opencv-warp.js';
import type { Affine } from '../../src/vision/similarity.js';
import { warpAffine } from '../../src/vision/warp.js';
import { lcgImage } from './helpers/images.js';

// Expected outputs were produced once with cv2.warpAffine(img, M, (112, 112), borderValue=0) (OpenCV 4.6) on
// the same pseudo-random images; the last one maps most of the crop outside the source (black border).
const cases: [number, number, number, Affine, string, number[]][] = [
  [200, 150, 7, [0.8, -0.3, -40.5, 0.3, 0.8, -20.25], '0d7e127fdd2b01260aa6069f24296705f6b9e3eab7b80313a7d4a8974b007fb8', [33, 114, 152]],
  [90, 120, 8, [1.7, 0.2, -30, -0.2, 1.7, -95.1], 'f178cb1e4169c1ae87074477c35ab5b413ff27b3811cf03971b971b525d26fda', [166, 79, 98]],
  [64, 64, 9, [0.5, 0, 60, 0, 0.5, 70], '8ffabc2614b6ed08b70d6ae6a401021afeb9ce765b113d89e0d076c9eca11d71', [0, 0, 0]],
];
const centre = (56 * 112 + 56) * 3;

describe('warpAffineOpenCv', () => {
  it.each(cases)('matches cv2.warpAffine bit for bit on a %i×%i image', (width, height, seed, matrix, sha256, middle) => {
    const out = warpAffineOpenCv(lcgImage(width, height, seed), matrix, 112, 112);
    expect(Array.from(out.data.subarray(centre, centre + 3))).toEqual(middle);
    expect(createHash('sha256').update(out.data).digest('hex')).toBe(sha256);
  });

  it('differs from a plain float bilinear warp, which the embedded profile keeps', () => {
    const [width, height, seed, matrix] = cases[0]!;
    const image = lcgImage(width, height, seed);
    const exact = warpAffineOpenCv(image, matrix, 112, 112).data;
    const float = warpAffine(image, matrix, 112, 112).data;
    const differing = exact.filter((value, i) => value !== float[i]).length;
    expect(differing).toBeGreaterThan(1000);
  });
});
