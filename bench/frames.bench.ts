// Frame extraction from a 1920×1080 scene served over loopback HTTP with an ApiKey, as Stash serves it:
// src/frames' planned raw-RGB reader against the naive one-ffmpeg-per-frame PNG approach.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { collectFrames, createVideoFrameSource, planFrameTimestamps, type VideoStream } from '../src/frames/index.js';
import { silentLogger } from '../src/logger.js';
import { makeSlideshowVideo } from '../test/frames/make-video.js';
import { startMediaServer } from '../test/frames/media-server.js';
import type { Benchmark, BenchRow } from './report.js';

const FRAMES = 60;
const CONCURRENCY = [1, 2, 4];
const PHOTOS = [
  'people/obama/01.jpg', 'people/biden/01.jpg', 'people/kit_harington/01.jpg', 'people/rose_leslie/01.jpg',
  'people/eric_clapton/01.jpg', 'people/john_lennon/01.jpg', 'people/amy_adams/01.jpg', 'people/steve_carell/01.jpg',
];
const SECONDS_PER_PHOTO = 3;
const KEYFRAME_SEC = 4;
const LONG_LOOPS = 25;

export const benchmark: Benchmark = {
  name: `frames: ${FRAMES} frames from a 1920×1080 ${PHOTOS.length * SECONDS_PER_PHOTO} s H.264 scene (and a 10-min one) over HTTP`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'bench-frames-'));
    const apiKey = 'bench-key';
    try {
      const buildStart = performance.now();
      const file = await makeSlideshowVideo({
        photos: PHOTOS, outFile: join(dir, 'scene.mp4'), width: 1920, height: 1080, secondsPerPhoto: SECONDS_PER_PHOTO, keyframeIntervalSec: KEYFRAME_SEC,
      });
      const buildMs = performance.now() - buildStart;
      // A 10-minute scene without encoding another 18,000 frames: the clip looped by stream copy.
      const longFile = join(dir, 'long.mp4');
      await runToBuffer('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-stream_loop', String(LONG_LOOPS - 1), '-i', file, '-c', 'copy', '-movflags', '+faststart', longFile]);
      const server = await startMediaServer({ apiKey, files: { '/scene/1/stream': file, '/scene/2/stream': longFile } });
      const durationSec = PHOTOS.length * SECONDS_PER_PHOTO;
      const stream: VideoStream = { url: `${server.origin}/scene/1/stream?apikey=${apiKey}`, headers: { ApiKey: apiKey }, durationSec };
      const source = createVideoFrameSource({ logger: silentLogger });
      const rows: BenchRow[] = [];
      const measure = async (approach: string, concurrency: number, run: () => Promise<number>): Promise<void> => {
        const cpuBefore = cpuSeconds();
        const started = performance.now();
        const frames = await run();
        const ms = performance.now() - started;
        rows.push({ approach, concurrency, frames, total_ms: Math.round(ms), ms_per_frame: ms / frames, cpu_s: cpuSeconds() - cpuBefore });
      };
      const timestamps = planFrameTimestamps(durationSec, { frameCount: FRAMES, startFraction: 0.05, endFraction: 0.95 });
      try {
        for (const concurrency of CONCURRENCY) {
          await measure('ours, auto plan (decodes through)', concurrency, async () => (await collectFrames(source.frames(stream, { concurrency }))).length);
        }
        await measure('ours, forced one seek per frame', 2, async () => (await collectFrames(source.frames(stream, { concurrency: 2, decodeThroughGapSec: 0 }))).length);
        for (const concurrency of CONCURRENCY) {
          await measure('naive: ffmpeg + PNG per frame', concurrency, () => naivePngFrames(stream, apiKey, timestamps, concurrency));
        }
        const longDurationSec = durationSec * LONG_LOOPS;
        const long: VideoStream = { ...stream, url: `${server.origin}/scene/2/stream?apikey=${apiKey}`, durationSec: longDurationSec };
        const longTimestamps = planFrameTimestamps(longDurationSec, { frameCount: FRAMES, startFraction: 0.05, endFraction: 0.95 });
        await measure('10-min scene: ours, auto plan (keyframe seeks)', 2, async () => (await collectFrames(source.frames(long, { concurrency: 2 }))).length);
        await measure('10-min scene: ours, exact seeks', 2, async () =>
          (await collectFrames(source.frames(long, { concurrency: 2, keyframeSeekGapSec: Number.POSITIVE_INFINITY }))).length);
        await measure('10-min scene: naive PNG per frame', 2, () => naivePngFrames(long, apiKey, longTimestamps, 2));
      } finally {
        await server.close();
      }
      return {
        name: this.name,
        rows,
        notes: [
          `test video built in ${Math.round(buildMs)} ms (libx264 ultrafast, a keyframe every ${KEYFRAME_SEC} s)`,
          `load average at the end ${loadavg().map((value) => value.toFixed(2)).join(' ')} (shared machine: timings are noisy)`,
          'cpu_s: CPU seconds of this process and its ffmpeg children (less sensitive to other load than total_ms); naive includes sharp decoding the PNGs to RGB',
          'auto plan: frames under 3 s apart are decoded straight through by one input; further apart, one seek per frame, several seeks per process; 5 s or more apart, each takes the keyframe before its timestamp (re-read exactly if that keyframe is over half-way back to the previous frame)',
          `10-min scene: the clip looped ${LONG_LOOPS}× by stream copy (frames ${((durationSec * LONG_LOOPS * 0.9) / (FRAMES - 1)).toFixed(1)} s apart)`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** What the Python sidecar does (with PNG for MJPEG): one ffmpeg per timestamp, an image per process, decoded to RGB. */
async function naivePngFrames(stream: VideoStream, apiKey: string, timestamps: number[], concurrency: number): Promise<number> {
  let next = 0;
  let decoded = 0;
  const header = `ApiKey: ${apiKey}\r\n`;
  const worker = async (): Promise<void> => {
    while (next < timestamps.length) {
      const at = timestamps[next++]!;
      const png = await runToBuffer('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-ss', at.toFixed(3), '-headers', header, '-i', stream.url,
        '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-',
      ]);
      const { info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      if (info.width > 0) decoded += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return decoded;
}

/** User + system CPU of this process and its reaped children (Linux /proc), in seconds. */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: utime, stime, cutime, cstime are fields 12–15 (0-based), in clock ticks.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / 100;
}

function runToBuffer(binary: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exited ${code}`))));
  });
}
