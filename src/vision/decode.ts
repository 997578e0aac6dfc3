import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { SenseError, errorMessage } from '../errors.js';
import type { RgbImage } from './types.js';

const SUPPORTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export interface DecodeOptions {
  /** Names the image in errors: "The sprite sheet is empty (0 bytes)." Default "The image" ("The data" when unreadable). */
  what?: string;
  /** Longer side cap after decoding (keeps memory bounded for huge photos); unset keeps the native size. */
  maxDimension?: number;
}

/**
 * The one image decoder (uploads, URLs, Stash images, screenshots, sprite sheets). Bytes → packed sRGB: EXIF
 * orientation applied, alpha flattened onto white, CMYK/grey converted. The pixel limit is checked from the
 * header before anything is decoded, so a 30000×30000 PNG bomb costs nothing; a truncated file is refused
 * rather than decoded half grey.
 */
export async function decodeImage(bytes: Uint8Array, maxImagePixels: number, decode: DecodeOptions = {}): Promise<RgbImage> {
  const what = decode.what ?? 'The image';
  if (bytes.length === 0) throw new SenseError('BAD_INPUT', `${what} is empty (0 bytes).`);
  const options: SharpOptions = { failOn: 'truncated', limitInputPixels: maxImagePixels, sequentialRead: true };
  let metadata: Metadata;
  try {
    // Header only: no limit here, so the refusal below can say how big the image is.
    metadata = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch (error: unknown) {
    throw new SenseError('BAD_INPUT', `${decode.what ?? 'The data'} is not an image that can be read (${shortReason(error)}).`, { cause: error });
  }
  if (!metadata.format || !SUPPORTED_FORMATS.has(metadata.format)) {
    throw new SenseError('BAD_INPUT', `${what}: format "${metadata.format ?? 'unknown'}" is not supported; use JPEG, PNG or WebP.`);
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new SenseError('BAD_INPUT', `${what} has no pixels.`);
  if (width * height > maxImagePixels) {
    throw new SenseError(
      'BAD_INPUT',
      `${what} is ${width}×${height} (${(width * height / 1e6).toFixed(1)} MP), more than the ${(maxImagePixels / 1e6).toFixed(1)} MP allowed.`,
    );
  }
  try {
    let pipeline = sharp(bytes, options).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha();
    if (decode.maxDimension) {
      pipeline = pipeline.resize({ width: decode.maxDimension, height: decode.maxDimension, fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (error: unknown) {
    throw new SenseError('BAD_INPUT', `${what} could not be decoded (${shortReason(error)}).`, { cause: error });
  }
}

/** libvips messages can run to several lines of internals; the first line says enough. */
function shortReason(error: unknown): string {
  return errorMessage(error).split('\n')[0]!.trim().slice(0, 200);
}
