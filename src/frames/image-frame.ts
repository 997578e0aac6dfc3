// Still images (Stash screenshots, image files, uploads, sprite sheets) as frames, through the vision decoder.
import { decodeImage as decodeVisionImage, type DecodeOptions } from '../vision/index.js';
import type { FetchMedia, Frame, RgbImage } from './types.js';

export interface ImageDecodeOptions extends DecodeOptions {
  /** Refuse images with more pixels than this (decompression bombs), checked from the header. */
  maxInputPixels?: number;
}

export interface ImageFrameOptions extends ImageDecodeOptions {
  source: 'screenshot' | 'image';
  index?: number;
}

/**
 * The limit when a caller names none: MAX_IMAGE_MEGAPIXELS's default. A Stash screenshot or sprite sheet is a
 * few megapixels; anything near this is a decompression bomb.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

/** The vision decoder (one for every image: pixel limit from the header, truncated files refused) with a default limit. */
export function decodeImage(bytes: Uint8Array, options: ImageDecodeOptions = {}): Promise<RgbImage> {
  const { maxInputPixels = DEFAULT_MAX_INPUT_PIXELS, ...decode } = options;
  return decodeVisionImage(bytes, maxInputPixels, decode);
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
