import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The face photos beside the project: `facePhoto('people/obama/01.jpg')`. */
export function facePhoto(relative: string): string {
  return path.resolve(process.cwd(), '../shared/faces', relative);
}

/**
 * Built media for one test file: a temp dir, and the same request answered from it the second time.
 * Create it in `beforeAll` and `close()` it in `afterAll`.
 */
export interface MediaCache {
  dir: string;
  close(): void;
}

export function createMediaCache(): MediaCache {
  const dir = mkdtempSync(path.join(tmpdir(), 'stash-double-media-'));
  return { dir, close: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface VideoSegment {
  /** Absolute path of a photo (see `facePhoto`). */
  photo: string;
  seconds: number;
}

export interface SceneVideoOptions {
  segments: VideoSegment[];
  width?: number;
  height?: number;
  fps?: number;
  /** How far each segment zooms in by its end (1.15 = 15 %), panning sideways as it goes. */
  zoom?: number;
}

export interface SceneVideo {
  path: string;
  durationSeconds: number;
  width: number;
  height: number;
  fps: number;
  sizeBytes: number;
}

/**
 * An H.264 MP4 (1280×720 by default) showing each photo in turn for its seconds, letterboxed whole into the
 * frame with a slow zoom and pan, so consecutive frames differ as in real footage. `+faststart` puts the index
 * first, as a player streaming over HTTP expects.
 */
export async function buildSceneVideo(cache: MediaCache, options: SceneVideoOptions): Promise<SceneVideo> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const fps = options.fps ?? 25;
  const zoom = options.zoom ?? 1.15;
  const durationSeconds = options.segments.reduce((sum, s) => sum + s.seconds, 0);
  const output = cached(cache, 'scene', { ...options, width, height, fps, zoom }, 'mp4');
  if (!exists(output)) {
    const inputs = options.segments.flatMap((s) => ['-i', s.photo]);
    const chains = options.segments.map((segment, index) => {
      const frames = Math.max(1, Math.round(segment.seconds * fps));
      const last = Math.max(1, frames - 1);
      // Alternate the pan direction so a cut between two segments is obvious in the footage.
      const x = index % 2 === 0 ? `(iw-iw/zoom)*on/${last}` : `(iw-iw/zoom)*(1-on/${last})`;
      return (
        `[${index}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=0x303030,setsar=1,format=yuv420p,` +
        `zoompan=z='1+${zoom - 1}*on/${last}':x='${x}':y='(ih-ih/zoom)/2':d=${frames}:s=${width}x${height}:fps=${fps}[v${index}]`
      );
    });
    const joined = options.segments.map((_, index) => `[v${index}]`).join('');
    const filter = `${chains.join(';')};${joined}concat=n=${options.segments.length}:v=1:a=0,format=yuv420p[out]`;
    await ffmpeg([
      ...inputs,
      '-filter_complex',
      filter,
      '-map',
      '[out]',
      '-r',
      String(fps),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      output,
    ]);
  }
  return { path: output, durationSeconds, width, height, fps, sizeBytes: statSync(output).size };
}

export interface SpriteSheetOptions {
  /** Stash's layout: 9×9 thumbnails of 160 px width over the whole duration. */
  columns?: number;
  rows?: number;
  thumbWidth?: number;
  /** The file name the VTT cues point at; Stash uses `<oshash>_sprite.jpg`. */
  spriteName?: string;
}

export interface SpriteSheet {
  /** The sprite sheet JPEG. */
  sprite: Buffer;
  /** WebVTT with one `#xywh=x,y,w,h` cue per thumbnail, as Stash writes it. */
  vtt: string;
  thumbWidth: number;
  thumbHeight: number;
  /** The start time of each thumbnail's cue, in seconds. */
  cueStartsSeconds: number[];
}

/** A sprite sheet and its VTT like Stash generates: thumbnails at equal steps over the duration, row by row. */
export async function buildSpriteSheet(cache: MediaCache, video: SceneVideo, options: SpriteSheetOptions = {}): Promise<SpriteSheet> {
  const columns = options.columns ?? 9;
  const rows = options.rows ?? 9;
  const thumbWidth = options.thumbWidth ?? 160;
  const thumbHeight = Math.round((thumbWidth * video.height) / video.width / 2) * 2;
  const count = columns * rows;
  const step = video.durationSeconds / count;
  const output = cached(cache, 'sprite', { video: video.path, columns, rows, thumbWidth }, 'jpg');
  if (!exists(output)) {
    // One frame at the start of each interval (where Stash's generator seeks), tiled into a single JPEG.
    await ffmpeg([
      '-i',
      video.path,
      '-vf',
      `fps=1/${step.toFixed(6)},scale=${thumbWidth}:${thumbHeight},tile=${columns}x${rows}`,
      '-frames:v',
      '1',
      '-q:v',
      '3',
      output,
    ]);
  }
  const spriteName = options.spriteName ?? 'sprite.jpg';
  const cueStartsSeconds: number[] = [];
  const cues: string[] = ['WEBVTT', ''];
  for (let index = 0; index < count; index += 1) {
    const start = index * step;
    cueStartsSeconds.push(start);
    const x = (index % columns) * thumbWidth;
    const y = Math.floor(index / columns) * thumbHeight;
    cues.push(`${vttTime(start)} --> ${vttTime(start + step)}`, `${spriteName}#xywh=${x},${y},${thumbWidth},${thumbHeight}`, '');
  }
  return { sprite: await readFile(output), vtt: cues.join('\n'), thumbWidth, thumbHeight, cueStartsSeconds };
}

/** A JPEG of one frame (by default at 20 % of the duration, near where Stash takes its screenshot). */
export async function buildScreenshot(cache: MediaCache, video: SceneVideo, atSeconds = video.durationSeconds * 0.2): Promise<Buffer> {
  const output = cached(cache, 'screenshot', { video: video.path, atSeconds }, 'jpg');
  if (!exists(output)) {
    await ffmpeg(['-ss', atSeconds.toFixed(3), '-i', video.path, '-frames:v', '1', '-q:v', '2', output]);
  }
  return readFile(output);
}

function cached(cache: MediaCache, kind: string, key: unknown, extension: string): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  return path.join(cache.dir, `${kind}-${hash}.${extension}`);
}

function exists(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}

async function ffmpeg(args: string[]): Promise<void> {
  try {
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error: unknown) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ffmpeg failed: ${stderr.trim().slice(-2000) || String(error)}`);
  }
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(rest).padStart(3, '0')}`;
}
