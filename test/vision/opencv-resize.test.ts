import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resizeOpenCv, type OpenCvInterpolation } from '../../src/vision/opencv-resize.js';
import { lcgImage } from './helpers/images.js';

// Expected outputs were produced once with cv2.resize (OpenCV 4.6, x86-64, no IPP) on the same pseudo-random
// images (lcgImage); each case is a sha256 of the whole output plus a few values to show what differs.
const cases: [number, number, number, number, OpenCvInterpolation, number, string, number[], number[]][] = [
  [112, 112, 160, 160, 'area', 1, 'e90d0fddec0bb89d1df4af08b4264284dcf352527dbf18c44bcd694b4186337a', [198, 126, 129, 146, 97, 199], [187, 83, 9]],
  [96, 54, 32, 18, 'linear', 2, 'cd9ffb1a3749707c4c76cc632736fb58c2452c5f16cc5658e31650fd1150fd4a', [225, 105, 19, 98, 141, 144], [169, 112, 210]],
  [64, 36, 32, 18, 'linear', 3, '79a62dc08ad6e14232b1d76766e1e914bddcc615bb13140c4efb028b2a2428bb', [93, 110, 172, 123, 155, 102], [120, 158, 179]],
  [50, 75, 21, 32, 'linear', 4, '6a096d666fefc3113e2cdd48c50a17fef2cbcaaf4759ee8303af0fa6570ed74a', [88, 93, 88, 154, 150, 110], [75, 181, 102]],
  [20, 16, 64, 51, 'linear', 5, 'ddbc6fbebabf366784aa4c84842b9a0551a38de0a68981cf0ededc5ff58b6330', [223, 9, 120, 223, 9, 120], [122, 103, 25]],
  [37, 23, 101, 77, 'area', 6, 'd315c021941cd6cfec0d2a9f1d5953c4791cfcbcd414435bc3401c2654869bb4', [166, 171, 246, 166, 171, 246], [2, 4, 127]],
];

describe('resizeOpenCv', () => {
  it.each(cases)('matches cv2.resize bit for bit: %i×%i → %i×%i %s', (width, height, toWidth, toHeight, mode, seed, sha256, head, tail) => {
    const out = resizeOpenCv(lcgImage(width, height, seed), toWidth, toHeight, mode);
    expect([out.width, out.height]).toEqual([toWidth, toHeight]);
    expect(Array.from(out.data.subarray(0, 6))).toEqual(head);
    expect(Array.from(out.data.subarray(out.data.length - 3))).toEqual(tail);
    expect(createHash('sha256').update(out.data).digest('hex')).toBe(sha256);
  });

  it('copies an image already at the target size', () => {
    const image = lcgImage(7, 5, 9);
    const out = resizeOpenCv(image, 7, 5, 'linear');
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
  });

  it('refuses to shrink with INTER_AREA, which is a different (box) filter', () => {
    expect(() => resizeOpenCv(lcgImage(20, 20, 1), 10, 10, 'area')).toThrow(/INTER_AREA shrinking/);
  });
});
