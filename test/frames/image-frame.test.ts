import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { decodeImageFrame } from '../../src/frames/index.js';

const faces = resolve(process.cwd(), '../shared/faces');

async function codeOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SenseError);
  return (error as SenseError).code;
}

function pixel(frame: { image: { data: Uint8Array; width: number } }, x: number, y: number): number[] {
  const at = (y * frame.image.width + x) * 3;
  return [...frame.image.data.subarray(at, at + 3)];
}

describe('image frames', () => {
  it('decodes a photo to packed RGB at its own size', async () => {
    const bytes = readFileSync(resolve(faces, 'people/obama/06-720p.jpg'));
    const meta = await sharp(bytes).metadata();
    const frame = await decodeImageFrame(bytes, { source: 'image' });
    expect(frame).toMatchObject({ source: 'image', timestampSec: null, index: 0 });
    expect([frame.image.width, frame.image.height]).toEqual([meta.width, meta.height]);
    expect(frame.image.data.length).toBe(frame.image.width * frame.image.height * 3);
  });

  it('turns a photo upright by its EXIF orientation', async () => {
    // 40×20: red left half, blue right half; orientation 6 means "rotate 90° clockwise to display".
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) raw.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
    const jpeg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const frame = await decodeImageFrame(jpeg, { source: 'screenshot' });
    expect([frame.image.width, frame.image.height]).toEqual([20, 40]);
    expect(pixel(frame, 10, 5)[0]).toBeGreaterThan(200);
    expect(pixel(frame, 10, 35)[2]).toBeGreaterThan(200);
  });

  it('drops alpha and expands greyscale to three channels', async () => {
    const rgba = await decodeImageFrame(readFileSync(resolve(faces, 'people/obama/05-rgba.png')), { source: 'image' });
    expect(rgba.image.data.length).toBe(rgba.image.width * rgba.image.height * 3);
    const grey = await sharp(Buffer.alloc(16 * 8, 128), { raw: { width: 16, height: 8, channels: 1 } }).png().toBuffer();
    const frame = await decodeImageFrame(grey, { source: 'image' });
    expect(frame.image.data.length).toBe(16 * 8 * 3);
    expect(pixel(frame, 3, 3)).toEqual([128, 128, 128]);
  });

  it('caps the longer side when asked', async () => {
    const frame = await decodeImageFrame(readFileSync(resolve(faces, 'people/obama/06-1080p.jpg')), { source: 'image', maxDimension: 480 });
    expect(Math.max(frame.image.width, frame.image.height)).toBe(480);
  });

  it('refuses bytes that are not an image, and images over the pixel limit', async () => {
    expect(await codeOf(decodeImageFrame(new TextEncoder().encode('not an image at all'), { source: 'image' }))).toBe('BAD_INPUT');
    expect(await codeOf(decodeImageFrame(new Uint8Array(0), { source: 'screenshot' }))).toBe('BAD_INPUT');
    const truncated = readFileSync(resolve(faces, 'people/obama/01.jpg')).subarray(0, 2000);
    expect(await codeOf(decodeImageFrame(truncated, { source: 'image' }))).toBe('BAD_INPUT');
    const photo = readFileSync(resolve(faces, 'people/obama/06-720p.jpg'));
    // One decoder for every image (src/vision/decode.ts): too many pixels is BAD_INPUT there, as for uploads.
    expect(await codeOf(decodeImageFrame(photo, { source: 'image', maxInputPixels: 1000 }))).toBe('BAD_INPUT');
  });
});
