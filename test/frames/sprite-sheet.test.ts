import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { parseThumbnailVtt, readSpriteFrames, type FetchMedia } from '../../src/frames/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { startMediaServer, type MediaServer } from './media-server.js';

const SECRET = 'sprite-k3y-4242';
const TILE_W = 48;
const TILE_H = 32;
// 3 columns × 2 rows of flat colours on JPEG block boundaries (48×32, no chroma subsampling), so an
// off-by-one cut would show a neighbour’s colour.
const COLOURS: [number, number, number][] = [
  [220, 30, 30], [30, 200, 30], [30, 30, 220],
  [230, 230, 40], [30, 210, 210], [210, 40, 210],
];

function stashVtt(image: string): string {
  const lines = ['WEBVTT', ''];
  COLOURS.forEach((_, i) => {
    const x = (i % 3) * TILE_W;
    const y = Math.floor(i / 3) * TILE_H;
    lines.push(`00:00:${String(i * 5).padStart(2, '0')}.000 --> 00:00:${String(i * 5 + 5).padStart(2, '0')}.000`);
    lines.push(`${image}#xywh=${x},${y},${TILE_W},${TILE_H}`, '');
  });
  return lines.join('\n');
}

let dir: string;
let server: MediaServer;
const fetchMedia: FetchMedia = async (url) => {
  const response = await fetch(new URL(url, server.origin), { headers: { ApiKey: SECRET } });
  if (!response.ok) throw new SenseError('NOT_FOUND', `media answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'frames-sprite-'));
  const sheet = Buffer.alloc(3 * TILE_W * 2 * TILE_H * 3);
  for (let y = 0; y < 2 * TILE_H; y++) {
    for (let x = 0; x < 3 * TILE_W; x++) {
      const colour = COLOURS[Math.floor(y / TILE_H) * 3 + Math.floor(x / TILE_W)]!;
      sheet.set(colour, (y * 3 * TILE_W + x) * 3);
    }
  }
  await sharp(sheet, { raw: { width: 3 * TILE_W, height: 2 * TILE_H, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toFile(join(dir, 'sprite.jpg'));
  writeFileSync(join(dir, 'thumbs.vtt'), stashVtt('abc123_sprite.jpg'));
  writeFileSync(join(dir, 'broken.vtt'), '<html>Stash error page</html>');
  server = await startMediaServer({
    apiKey: SECRET,
    files: {
      '/scene/abc123_thumbs.vtt': join(dir, 'thumbs.vtt'),
      '/scene/abc123_sprite.jpg': join(dir, 'sprite.jpg'),
      '/scene/7/vtt/thumbs': join(dir, 'thumbs.vtt'),
      '/scene/7/vtt/sprite': join(dir, 'sprite.jpg'),
      '/scene/8/vtt/thumbs': join(dir, 'broken.vtt'),
    },
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('thumbnail VTT parsing', () => {
  it('reads Stash’s sprite VTT', () => {
    const { cues, skipped } = parseThumbnailVtt(stashVtt('abc_sprite.jpg'));
    expect(skipped).toBe(0);
    expect(cues).toHaveLength(6);
    expect(cues[4]).toEqual({ index: 4, startSec: 20, endSec: 25, image: 'abc_sprite.jpg', x: TILE_W, y: TILE_H, width: TILE_W, height: TILE_H });
  });

  it('tolerates a BOM, CRLF, hour-less times, cue ids, notes, settings and missing blank lines', () => {
    const text = [
      '\uFEFFWEBVTT - sprite',
      '',
      'NOTE made by hand',
      'over two lines',
      '',
      'cue-1',
      '00:01.500 --> 00:03.000 align:start',
      'sprite.jpg#xywh=0,0,10,10',
      '01:02:03.250 --> 01:02:04.000',
      'sprite.jpg#xywh=pixel:10,0,10,10',
      '12.5 --> 13',
      '  sprite.jpg#xywh=20,0,10,10  ',
    ].join('\r\n');
    const { cues, skipped } = parseThumbnailVtt(text);
    expect(skipped).toBe(0);
    expect(cues.map((cue) => [cue.startSec, cue.x])).toEqual([[1.5, 0], [3723.25, 10], [12.5, 20]]);
  });

  it('skips cues with odd times or payloads and keeps the rest', () => {
    const text = [
      'WEBVTT',
      '',
      '00:00.000 --> 00:05.000',
      '',
      '00:05.000 --> 00:10.000',
      'sprite.jpg#xywh=40,0,40,30',
      '00:99.000 --> 00:15.000',
      'sprite.jpg#xywh=80,0,40,30',
      '00:15.000 --> 00:20.000',
      'sprite.jpg#xywh=0,30,0,30',
      'garbage line',
      '00:20.000 --> 00:25.000',
      'sprite.jpg',
    ].join('\n');
    const { cues, skipped } = parseThumbnailVtt(text);
    expect(cues.map((cue) => cue.startSec)).toEqual([5]);
    expect(cues[0]!.index).toBe(1);
    expect(skipped).toBe(4);
  });

  it('refuses a file that is not WebVTT, or has no usable cue, as BAD_INPUT', () => {
    for (const text of ['', '<html>error</html>', 'WEBVTT\n\n00:00.000 --> 00:05.000\nno region here\n']) {
      let caught: unknown;
      try {
        parseThumbnailVtt(text);
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SenseError);
      expect((caught as SenseError).code).toBe('BAD_INPUT');
    }
  });
});

describe('sprite frames', () => {
  it('cuts each cue’s tile out of the sheet, timed at the cue start', async () => {
    const frames = await readSpriteFrames(
      { vttUrl: '/scene/7/vtt/thumbs', spriteUrl: '/scene/7/vtt/sprite' },
      fetchMedia,
      { logger: createRecordingLogger() },
    );
    expect(frames).toHaveLength(6);
    frames.forEach((frame, i) => {
      expect(frame).toMatchObject({ source: 'sprite', index: i, timestampSec: i * 5 });
      expect([frame.image.width, frame.image.height]).toEqual([TILE_W, TILE_H]);
      const expected = COLOURS[i]!;
      // Every pixel of the tile is its colour (JPEG allows a little drift, none crosses into a neighbour).
      for (let p = 0; p < frame.image.data.length; p += 3) {
        for (let c = 0; c < 3; c++) expect(Math.abs(frame.image.data[p + c]! - expected[c]!)).toBeLessThan(40);
      }
    });
  });

  it('finds the sprite named in the VTT relative to the VTT’s own URL', async () => {
    const before = server.requests.length;
    const frames = await readSpriteFrames({ vttUrl: `${server.origin}/scene/abc123_thumbs.vtt` }, fetchMedia, {
      maxFrames: 3,
      logger: createRecordingLogger(),
    });
    expect(server.requests.slice(before)).toEqual(['/scene/abc123_thumbs.vtt', '/scene/abc123_sprite.jpg']);
    expect(frames.map((frame) => frame.index)).toEqual([0, 3, 5]);
  });

  it('reports a broken VTT from Stash as BAD_INPUT', async () => {
    const error = await readSpriteFrames({ vttUrl: '/scene/8/vtt/thumbs' }, fetchMedia, { logger: createRecordingLogger() }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SenseError);
    expect((error as SenseError).code).toBe('BAD_INPUT');
  });
});
