// Still images (Stash screenshots, image files, uploads, sprite sheets) decoded to packed RGB with sharp.
import sharp from 'sharp';
import { SenseError } from '../errors.js';
import type { FetchMedia, Frame, RgbImage } from './types.js';

export interface ImageDecodeOptions {
  /** Longer side cap (keeps memory bounded for huge photos); unset keeps the native size. */
  maxDimension?: number;
  /** Refuse images with more pixels than this (decompression bombs); sharp's default is 268 M. */
  maxInputPixels?: number;
  /** Named in error messages: "The screenshot is not an image…". */
  what?: string;
}

export interface ImageFrameOptions extends ImageDecodeOptions {
  source: 'screenshot' | 'image';
  index?: number;
}

/** Decodes any format sharp reads, applies EXIF orientation, flattens alpha onto white, converts to sRGB. */
export async function decodeImage(bytes: Uint8Array, options: ImageDecodeOptions = {}): Promise<RgbImage> {
  const what = options.what ?? 'The image';
  if (bytes.length === 0) throw new SenseError('BAD_INPUT', `${what} is empty`);
  try {
    let pipeline = sharp(bytes, { limitInputPixels: options.maxInputPixels ?? 268_402_689 })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
    if (options.maxDimension) {
      pipeline = pipeline.resize({ width: options.maxDimension, height: options.maxDimension, fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new SenseError('BAD_INPUT', `${what} decoded to ${info.channels} channels, not RGB`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (error: unknown) {
    if (error instanceof SenseError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) {
      throw new SenseError('PAYLOAD_TOO_LARGE', `${what} has more pixels than allowed`, { cause: error });
    }
    throw new SenseError('BAD_INPUT', `${what} is not an image that can be read (corrupt or unsupported format)`, { cause: error });
  }
}

/** Image bytes (an upload, a Stash image file, a scene screenshot) as one frame. */
export async function decodeImageFrame(bytes: Uint8Array, options: ImageFrameOptions): Promise<Frame> {
  const what = options.what ?? (options.source === 'screenshot' ? 'The scene screenshot' : 'The image');
  const image = await decodeImage(bytes, { ...options, what });
  return { image, source: options.source, timestampSec: null, index: options.index ?? 0 };
}

/** Fetches an image through the Stash client (which alone holds the key) and decodes it. */
export async function readImageFrame(
  url: string,
  fetchMedia: FetchMedia,
  options: ImageFrameOptions & { signal?: AbortSignal },
): Promise<Frame> {
  const bytes = await fetchMedia(url, { signal: options.signal });
  return decodeImageFrame(bytes, options);
}
