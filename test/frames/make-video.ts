// Builds test videos from the face photos in ../shared/faces: each photo shown for a few seconds with a slow zoom.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const facesDir = resolve(process.cwd(), '../shared/faces');

export interface SlideshowOptions {
  /** Paths relative to ../shared/faces. */
  photos: string[];
  outFile: string;
  width: number;
  height: number;
  secondsPerPhoto: number;
  fps?: number;
  /** libx264 preset; `ultrafast` keeps tests quick. */
  preset?: string;
  /** Keyframe spacing; real files use 2–10 s. Unset leaves x264's default (250 frames; ultrafast adds none at cuts). */
  keyframeIntervalSec?: number;
}

export async function makeSlideshowVideo(options: SlideshowOptions): Promise<string> {
  const { width: w, height: h, secondsPerPhoto: seconds } = options;
  const fps = options.fps ?? 30;
  const inputs = options.photos.flatMap((photo) => ['-loop', '1', '-framerate', String(fps), '-t', String(seconds), '-i', resolve(facesDir, photo)]);
  const chains = options.photos.map(
    (_, i) =>
      `[${i}:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1,` +
      `zoompan=z='1+0.002*on':d=1:s=${w}x${h}:fps=${fps}[v${i}]`,
  );
  const joined = `${options.photos.map((_, i) => `[v${i}]`).join('')}concat=n=${options.photos.length}:v=1:a=0,format=yuv420p[out]`;
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    ...inputs,
    '-filter_complex', `${chains.join(';')};${joined}`,
    '-map', '[out]',
    '-c:v', 'libx264', '-preset', options.preset ?? 'ultrafast',
    ...(options.keyframeIntervalSec ? ['-g', String(Math.round(options.keyframeIntervalSec * fps))] : []),
    '-movflags', '+faststart',
    options.outFile,
  ]);
  return options.outFile;
}

/** One frame decoded independently (accurate input seek), as packed RGB: the reference a test compares against. */
export async function decodeReferenceFrame(file: string, timestampSec: number): Promise<Uint8Array> {
  const { stdout } = await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-ss', timestampSec.toFixed(6), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return new Uint8Array(stdout);
}
