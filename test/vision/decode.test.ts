import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { decodeImage } from '../../src/vision/decode.js';
import { facesDir } from '../helpers/fixtures.js';

const maxPixels = 100_000_000;
const photo = (file: string) => readFileSync(join(facesDir, file));

async function expectBadInput(bytes: Uint8Array, message: RegExp): Promise<void> {
  const error: unknown = await decodeImage(bytes, maxPixels).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SenseError);
  expect((error as SenseError).code).toBe('BAD_INPUT');
  expect((error as SenseError).message).toMatch(message);
}

/** A valid 1×1 PNG whose header then claims width×height: a decompression bomb's header, in 70 bytes. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer());
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC covers type + data (bytes 12..29).
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('decodeImage', () => {
  it('decodes JPEG to packed RGB', async () => {
    const image = await decodeImage(photo('people/obama/02.jpg'), maxPixels);
    expect([image.width, image.height]).toEqual([626, 1200]);
    expect(image.data.length).toBe(626 * 1200 * 3);
  });

  it('drops the alpha channel of an RGBA PNG', async () => {
    const image = await decodeImage(photo('people/obama/05-rgba.png'), maxPixels);
    expect(image.data.length).toBe(image.width * image.height * 3);
  });

  it('applies EXIF orientation', async () => {
    const upright = await decodeImage(photo('people/obama/02.jpg'), maxPixels);
    // Pixels stored turned a quarter left, with orientation 6 ("turn right to view").
    const stored = await sharp(photo('people/obama/02.jpg')).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(1200);
    const image = await decodeImage(stored, maxPixels);
    expect([image.width, image.height]).toEqual([upright.width, upright.height]);
    // Same picture, up to JPEG re-encoding: compare a central pixel's neighbourhood.
    const centre = ((600 * 626 + 313) * 3);
    for (let i = 0; i < 3; i++) expect(Math.abs(image.data[centre + i]! - upright.data[centre + i]!)).toBeLessThan(25);
  });

  it('converts greyscale and CMYK to three sRGB channels', async () => {
    const grey = await sharp(photo('people/obama/02.jpg')).greyscale().jpeg().toBuffer();
    const cmyk = await sharp(photo('people/obama/02.jpg')).toColourspace('cmyk').jpeg().toBuffer();
    for (const bytes of [grey, cmyk]) {
      const image = await decodeImage(bytes, maxPixels);
      expect(image.data.length).toBe(image.width * image.height * 3);
    }
  });

  it('reads WebP', async () => {
    const webp = await sharp(photo('people/obama/02.jpg')).webp().toBuffer();
    expect((await decodeImage(webp, maxPixels)).width).toBe(626);
  });

  it('refuses empty input', async () => {
    await expectBadInput(new Uint8Array(0), /empty/);
  });

  it('refuses data that is not an image', async () => {
    await expectBadInput(Buffer.from('this is a text file, not a photo'), /not an image/);
  });

  it('refuses formats other than photos (SVG)', async () => {
    await expectBadInput(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'), /not supported/);
  });

  it('refuses a truncated JPEG instead of decoding it half grey', async () => {
    const jpeg = photo('people/obama/01.jpg');
    await expectBadInput(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), /could not be decoded/);
  });

  it('refuses a 30000×30000 PNG from its header alone', async () => {
    const bomb = await pngClaiming(30000, 30000);
    expect(bomb.length).toBeLessThan(200);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(30000);
    await expectBadInput(bomb, /30000×30000 .* more than the 100\.0 MP allowed/);
  });

  it('refuses an ordinary photo above a lower pixel limit', async () => {
    await expect(decodeImage(photo('people/obama/02.jpg'), 500_000)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
