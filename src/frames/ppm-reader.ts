// Splits ffmpeg's image2pipe PPM output into frames. PPM (P6) is raw RGB behind a short text header,
// so it costs what `-f rawvideo` costs while each frame states its own size: no need to predict the
// output size from rotation, pixel aspect and scaling before reading.
import type { RgbImage } from './types.js';

const MAX_HEADER_BYTES = 64;

export class PpmReader {
  private header = Buffer.alloc(0);
  private current: { image: RgbImage; filled: number } | undefined;

  /** Feeds a chunk; returns the frames it completed. Throws on bytes that are not binary PPM. */
  push(chunk: Buffer): RgbImage[] {
    const done: RgbImage[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.current) {
        const { image } = this.current;
        const take = Math.min(image.data.length - this.current.filled, chunk.length - offset);
        image.data.set(chunk.subarray(offset, offset + take), this.current.filled);
        this.current.filled += take;
        offset += take;
        if (this.current.filled === image.data.length) {
          done.push(image);
          this.current = undefined;
        }
        continue;
      }
      const needed = Math.min(MAX_HEADER_BYTES - this.header.length, chunk.length - offset);
      const candidate = Buffer.concat([this.header, chunk.subarray(offset, offset + needed)]);
      const parsed = parseHeader(candidate);
      if (!parsed) {
        if (candidate.length >= MAX_HEADER_BYTES) throw new Error('ffmpeg wrote something that is not a binary PPM frame');
        this.header = candidate;
        offset += needed;
        continue;
      }
      offset += parsed.headerLength - this.header.length;
      this.header = Buffer.alloc(0);
      const data = new Uint8Array(parsed.width * parsed.height * 3);
      this.current = { image: { data, width: parsed.width, height: parsed.height }, filled: 0 };
    }
    return done;
  }

  /** True when a frame or header was cut off mid-way. */
  get incomplete(): boolean {
    return this.current !== undefined || this.header.length > 0;
  }
}

/** `P6 <width> <height> <maxval>` separated by whitespace, then exactly one whitespace byte before the pixels. */
function parseHeader(bytes: Buffer): { width: number; height: number; headerLength: number } | undefined {
  const text = bytes.toString('latin1');
  const match = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(text);
  if (!match) {
    if (!/^(P(6(\s+(\d+(\s+(\d+(\s+(\d+)?)?)?)?)?)?)?)?$/.test(text)) throw new Error('ffmpeg wrote something that is not a binary PPM frame');
    return undefined;
  }
  const width = Number(match[1]);
  const height = Number(match[2]);
  if (Number(match[3]) !== 255 || width === 0 || height === 0) throw new Error(`unsupported PPM frame ${width}x${height} maxval ${match[3]}`);
  return { width, height, headerLength: match[0].length };
}
