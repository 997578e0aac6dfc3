// Stash's scrubber sprite: a JPEG grid of thumbnails plus a WebVTT file whose cues say which
// rectangle (`sprite.jpg#xywh=x,y,w,h`) shows which stretch of the scene.
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { decodeImage } from './image-frame.js';
import type { FetchMedia, Frame, RgbImage } from './types.js';

export interface SpriteCue {
  /** Position among the file's cues. */
  index: number;
  startSec: number;
  endSec: number;
  /** The sprite image the cue points into, as written (usually relative, `<hash>_sprite.jpg`). */
  image: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ParsedVtt {
  cues: SpriteCue[];
  /** Cues whose timing or `#xywh=` payload could not be read. */
  skipped: number;
}

const TIMING = /^\s*(\S+)\s+-->\s+(\S+)/;
const PAYLOAD = /^(.*?)#xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)\s*$/;

/**
 * Reads the cues of a thumbnail VTT. Tolerates a BOM, CRLF, cue identifiers, NOTE blocks, cue settings,
 * `mm:ss.mmm` times and missing blank lines; skips cues it cannot read. Not WebVTT, or no usable cue: BAD_INPUT.
 */
export function parseThumbnailVtt(text: string): ParsedVtt {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const firstLine = lines.find((line) => line.trim() !== '');
  if (!firstLine || !/^WEBVTT(\s|$)/.test(firstLine.trim())) {
    throw new SenseError('BAD_INPUT', 'The sprite VTT is not a WebVTT file');
  }
  const cues: SpriteCue[] = [];
  let skipped = 0;
  let position = 0;
  for (let i = 0; i < lines.length; i++) {
    const timing = TIMING.exec(lines[i]!);
    if (!timing) continue;
    const cueIndex = position++;
    let payloadLine = i + 1;
    while (payloadLine < lines.length && lines[payloadLine]!.trim() === '') payloadLine++;
    const payloadText = lines[payloadLine] ?? '';
    const payload = TIMING.test(payloadText) ? null : PAYLOAD.exec(payloadText.trim());
    const startSec = parseVttTime(timing[1]!);
    const endSec = parseVttTime(timing[2]!);
    if (payload && startSec !== undefined && endSec !== undefined && Number(payload[4]) > 0 && Number(payload[5]) > 0) {
      cues.push({
        index: cueIndex,
        startSec,
        endSec,
        image: payload[1]!.trim(),
        x: Number(payload[2]),
        y: Number(payload[3]),
        width: Number(payload[4]),
        height: Number(payload[5]),
      });
      i = payloadLine;
    } else {
      skipped += 1;
    }
  }
  if (cues.length === 0) throw new SenseError('BAD_INPUT', 'The sprite VTT has no cue with a readable time and #xywh= region');
  return { cues, skipped };
}

/** `hh:mm:ss.mmm`, `mm:ss.mmm` or `ss.mmm` (a comma for the dot is accepted) → seconds; undefined if malformed. */
export function parseVttTime(value: string): number | undefined {
  const match = /^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:[.,]\d{1,3})?|\d+(?:[.,]\d+)?)$/.exec(value.trim());
  if (!match) return undefined;
  const hours = Number(match[1] ?? 0);
  const minutes = Number(match[2] ?? 0);
  const secs = Number(match[3]!.replace(',', '.'));
  if (minutes >= 60 || (match[2] !== undefined && secs >= 60)) return undefined;
  return hours * 3600 + minutes * 60 + secs;
}

/** Copies each cue's rectangle (clipped to the sheet) out of the decoded sheet; cues fully outside it are dropped. */
export function cutSpriteFrames(sheet: RgbImage, cues: readonly SpriteCue[]): Frame[] {
  const frames: Frame[] = [];
  for (const cue of cues) {
    const x0 = Math.min(cue.x, sheet.width);
    const y0 = Math.min(cue.y, sheet.height);
    const width = Math.min(cue.x + cue.width, sheet.width) - x0;
    const height = Math.min(cue.y + cue.height, sheet.height) - y0;
    if (width <= 0 || height <= 0) continue;
    const data = new Uint8Array(width * height * 3);
    for (let row = 0; row < height; row++) {
      const from = ((y0 + row) * sheet.width + x0) * 3;
      data.set(sheet.data.subarray(from, from + width * 3), row * width * 3);
    }
    frames.push({ image: { data, width, height }, source: 'sprite', timestampSec: cue.startSec, index: cue.index });
  }
  return frames;
}

export interface SpriteSource {
  /** Stash's `paths.vtt`. */
  vttUrl: string;
  /** Stash's `paths.sprite`; used for the cues' image when they all name one image. */
  spriteUrl?: string;
}

export interface SpriteReadOptions {
  /** Evenly thinned to this many cues (Stash writes 81); unset takes all. */
  maxFrames?: number;
  signal?: AbortSignal;
  logger: Logger;
}

/** Fetches the VTT and its sprite image(s) through `fetchMedia` and cuts one frame per cue. */
export async function readSpriteFrames(source: SpriteSource, fetchMedia: FetchMedia, options: SpriteReadOptions): Promise<Frame[]> {
  const vttBytes = await fetchMedia(source.vttUrl, { signal: options.signal });
  const parsed = parseThumbnailVtt(new TextDecoder('utf-8').decode(vttBytes));
  const cues = thin(parsed.cues, options.maxFrames);
  const images = [...new Set(cues.map((cue) => cue.image))];
  const frames: Frame[] = [];
  for (const image of images) {
    const url = source.spriteUrl && images.length === 1 ? source.spriteUrl : resolveAgainst(image, source.vttUrl);
    const sheet = await decodeImage(await fetchMedia(url, { signal: options.signal }), { what: 'The sprite sheet' });
    frames.push(...cutSpriteFrames(sheet, cues.filter((cue) => cue.image === image)));
  }
  if (parsed.skipped > 0 || frames.length < cues.length) {
    options.logger.warn('sprite cues skipped', { cues: parsed.cues.length, unreadable: parsed.skipped, outsideSheet: cues.length - frames.length });
  }
  if (frames.length === 0) throw new SenseError('BAD_INPUT', 'No sprite cue points inside its sprite sheet');
  return frames.sort((a, b) => a.index - b.index);
}

function thin<T>(items: readonly T[], max: number | undefined): T[] {
  if (max === undefined || items.length <= max) return [...items];
  if (max <= 0) return [];
  if (max === 1) return [items[0]!];
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}

/** A cue's image reference resolved like a browser would, against the VTT's own URL (absolute or a path). */
function resolveAgainst(reference: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(base)) return new URL(reference, base).toString();
  const resolved = new URL(reference, new URL(base, 'http://relative.invalid'));
  return `${resolved.pathname}${resolved.search}`;
}
