/** Packed RGB, 3 bytes per pixel, row-major; structurally the vision pipeline's `RgbImage`. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type FrameSourceKind = 'stream' | 'sprite' | 'screenshot' | 'image';

export interface Frame {
  image: RgbImage;
  source: FrameSourceKind;
  /** Seconds from the start of the video; null for a still image. */
  timestampSec: number | null;
  /** Position within its source: the requested timestamp's index for streams, the cue's index for sprites. */
  index: number;
}

/**
 * Fetches one media file (VTT, sprite sheet, screenshot, image) with Stash's credentials.
 * The Stash client implements it, so the key never leaves that client.
 */
export type FetchMedia = (url: string, options?: { signal?: AbortSignal }) => Promise<Uint8Array>;

/** Where ffmpeg reads a scene from: Stash's stream URL (which may carry `?apikey=`) and the headers to send. */
export interface VideoStream {
  url: string;
  headers?: Record<string, string>;
  /** From Stash's file metadata when known; saves an ffprobe round trip. */
  durationSec?: number;
}
