import type { RgbImage } from '../vision/index.js';

/** Packed RGB, 3 bytes per pixel, row-major: what the vision pipeline takes. */
export type { RgbImage };

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
  /** Sent with every request: a header map, or a ready `-headers` value (`"Name: value\r\n"`). Stash scenes need none: the Stash client's stream proxy adds the key. */
  headers?: Record<string, string> | string;
  /** How logs name the stream (e.g. the Stash client's `redacted` URL); origin + path when unset. Never holds a secret. */
  label?: string;
  /** From Stash's file metadata when known; saves an ffprobe round trip. */
  durationSec?: number;
  /**
   * An HTTP proxy (with its credentials) that ffmpeg and ffprobe reach `url` through, given in their environment
   * as http_proxy: unlike the command line, another local user cannot read it.
   */
  proxy?: string;
}
