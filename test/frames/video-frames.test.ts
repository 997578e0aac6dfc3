import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { checkFfmpeg, collectFrames, createVideoFrameSource, type Frame, type VideoStream } from '../../src/frames/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { decodeReferenceFrame, makeSlideshowVideo } from './make-video.js';
import { startMediaServer, type MediaServer } from './media-server.js';

const SECRET = 'sEcReT-k3y-90210';
const WRONG = 'wr0ng-k3y-31337';
const DURATION_SEC = 6;

let dir: string;
let video: string;
let server: MediaServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'frames-video-'));
  video = await makeSlideshowVideo({
    photos: ['people/obama/01.jpg', 'people/biden/01.jpg', 'people/kit_harington/01.jpg'],
    outFile: join(dir, 'scene.mp4'),
    width: 1280,
    height: 720,
    secondsPerPhoto: DURATION_SEC / 3,
    keyframeIntervalSec: 1,
  });
  writeFileSync(join(dir, 'not-a-video.mp4'), 'this is a text file, not a video\n'.repeat(200));
  server = await startMediaServer({
    apiKey: SECRET,
    files: { '/scene/1/stream': video, '/scene/2/stream': join(dir, 'not-a-video.mp4') },
    statuses: { '/scene/3/stream': 500 },
    hang: ['/scene/4/stream'],
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function stream(sceneId: string, key = SECRET, durationSec?: number): VideoStream {
  return { url: `${server.origin}/scene/${sceneId}/stream?apikey=${key}`, headers: { ApiKey: key }, durationSec };
}

/** The shape the Stash client's `ffmpegInput` hands over: a ready `-headers` string and a redacted label. */
function rawHeaderStream(sceneId: string, key: string, durationSec?: number): VideoStream {
  const url = `${server.origin}/scene/${sceneId}/stream?apikey=${key}`;
  return { url, headers: `ApiKey: ${key}\r\n`, label: `${server.origin}/scene/${sceneId}/stream`, durationSec };
}

async function failure(run: Promise<unknown>): Promise<SenseError> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SenseError);
  return error as SenseError;
}

function expectNoSecret(value: unknown): void {
  const seen = new Set<unknown>();
  const dump = (item: unknown): string => {
    if (item instanceof Error) {
      if (seen.has(item)) return '';
      seen.add(item);
      return `${item.name} ${item.message} ${item.stack ?? ''} ${dump(item.cause)}`;
    }
    return JSON.stringify(item) ?? String(item);
  };
  const text = dump(value);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(WRONG);
}

/** ffmpeg processes still reading from this test's server (their command line names its port). */
function ffmpegProcessesForServer(): number[] {
  const marker = server.origin;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('ffmpeg') && cmdline.includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('video frames over Stash stream', () => {
  it('reads 60 frames at native size spread over 5%–95% of the duration', async () => {
    const logger = createRecordingLogger();
    const source = createVideoFrameSource({ logger });
    const frames = await collectFrames(source.frames(stream('1')));

    expect(frames).toHaveLength(60);
    expect(frames.map((frame) => frame.index)).toEqual([...Array(60).keys()]);
    for (const frame of frames) {
      expect(frame.source).toBe('stream');
      expect([frame.image.width, frame.image.height]).toEqual([1280, 720]);
      expect(frame.image.data.length).toBe(1280 * 720 * 3);
    }
    const times = frames.map((frame) => frame.timestampSec ?? Number.NaN);
    const frameSec = 1 / 30;
    expect(times[0]).toBeGreaterThanOrEqual(0.05 * DURATION_SEC - 0.001);
    expect(times[0]).toBeLessThanOrEqual(0.05 * DURATION_SEC + frameSec);
    expect(times[59]).toBeGreaterThanOrEqual(0.95 * DURATION_SEC - 0.001);
    expect(times[59]).toBeLessThanOrEqual(0.95 * DURATION_SEC + frameSec);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(logger.lines.some((line) => line.message === 'video frames read' && line.fields.frames === 60)).toBe(true);
    expectNoSecret(logger.lines);
  });

  it('returns the very frame ffmpeg decodes at each reported timestamp', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const frames = await collectFrames(source.frames(stream('1', SECRET, DURATION_SEC), { frameCount: 9, concurrency: 3 }));
    expect(frames).toHaveLength(9);
    for (const frame of [frames[0]!, frames[4]!, frames[8]!]) {
      const reference = await decodeReferenceFrame(video, frame.timestampSec! - 0.0005);
      expect(meanAbsDiff(frame.image.data, reference)).toBeLessThan(0.5);
    }
    // Different moments of a zooming slideshow differ: the frames are not one frame repeated.
    expect(meanAbsDiff(frames[0]!.image.data, frames[1]!.image.data)).toBeGreaterThan(0.5);
  });

  it('seeks each timestamp separately when they are far apart, with the same result', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const timestampsSec = [0.5, 2.5, 4.5];
    const seeked = await collectFrames(
      source.frames(stream('1', SECRET, DURATION_SEC), { timestampsSec, decodeThroughGapSec: 0, keyframeSeekGapSec: Number.POSITIVE_INFINITY }),
    );
    const decodedThrough = await collectFrames(source.frames(stream('1', SECRET, DURATION_SEC), { timestampsSec, decodeThroughGapSec: 10 }));
    expect(seeked.map((frame) => frame.timestampSec)).toEqual([0.5, 2.5, 4.5]);
    expect(decodedThrough.map((frame) => frame.timestampSec)).toEqual([0.5, 2.5, 4.5]);
    seeked.forEach((frame, i) => expect(meanAbsDiff(frame.image.data, decodedThrough[i]!.image.data)).toBeLessThan(0.5));
  });

  it('takes the keyframe before each timestamp when frames are far apart, and never the same frame twice', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const snap = { decodeThroughGapSec: 0, keyframeSeekGapSec: 0.1 };
    // The test video has a keyframe every second.
    const frames = await collectFrames(source.frames(stream('1', SECRET, DURATION_SEC), { ...snap, timestampsSec: [0.5, 2.5, 4.5] }));
    expect(frames.map((frame) => [frame.index, frame.timestampSec])).toEqual([[0, 0], [1, 2], [2, 4]]);
    for (const frame of frames) {
      const reference = await decodeReferenceFrame(video, frame.timestampSec!);
      expect(meanAbsDiff(frame.image.data, reference)).toBeLessThan(0.5);
    }
    // 2.6 would snap back to the keyframe at 2, which is 2.2's: it is read again with an exact seek instead.
    const sameKeyframe = await collectFrames(source.frames(stream('1', SECRET, DURATION_SEC), { ...snap, timestampsSec: [2.2, 2.6] }));
    expect(sameKeyframe.map((frame) => [frame.index, frame.timestampSec])).toEqual([[0, 2], [1, 2.6]]);
  });

  it('loses only the frames past the end when Stash reports too long a duration', async () => {
    const logger = createRecordingLogger();
    const source = createVideoFrameSource({ logger });
    const frames = await collectFrames(source.frames(stream('1', SECRET, 60), { timestampsSec: [1, 3, 20, 50], keyframeSeekGapSec: Number.POSITIVE_INFINITY }));
    expect(frames.map((frame) => frame.timestampSec)).toEqual([1, 3]);
    // Snapping, 20 s and 50 s land on the last keyframe (5 s), far too early: retried exactly, they find nothing.
    const snapped = await collectFrames(source.frames(stream('1', SECRET, 60), { timestampsSec: [1, 3, 20, 50], keyframeSeekGapSec: 10 }));
    expect(snapped.map((frame) => frame.timestampSec)).toEqual([1, 3]);
    expect(logger.lines.some((line) => line.message === 'some video frames could not be read' && line.fields.delivered === 2)).toBe(true);
  });

  it('scales frames larger than the maximum dimension down, keeping the aspect ratio', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const frames = await collectFrames(source.frames(rawHeaderStream('1', SECRET, DURATION_SEC), { frameCount: 2, maxDimension: 640 }));
    expect(frames.map((frame) => [frame.image.width, frame.image.height])).toEqual([[640, 360], [640, 360]]);
  });

  it('reports a refused API key as STASH_AUTH without the key in the error or the logs', async () => {
    const logger = createRecordingLogger();
    const source = createVideoFrameSource({ logger });
    const viaProbe = await failure(collectFrames(source.frames(stream('1', WRONG))));
    const viaFfmpeg = await failure(collectFrames(source.frames(stream('1', WRONG, DURATION_SEC), { frameCount: 4 })));
    const rawHeaders = await failure(collectFrames(source.frames(rawHeaderStream('1', WRONG, DURATION_SEC), { frameCount: 4 })));
    expect([viaProbe.code, viaFfmpeg.code, rawHeaders.code]).toEqual(['STASH_AUTH', 'STASH_AUTH', 'STASH_AUTH']);
    // ffmpeg's own output (which prints the URL with ?apikey=) was logged, scrubbed.
    expect(logger.lines.some((line) => JSON.stringify(line.fields).includes('401'))).toBe(true);
    expectNoSecret([viaProbe, viaFfmpeg, rawHeaders, logger.lines]);
  });

  it('reports a file that is not a video as BAD_INPUT', async () => {
    const logger = createRecordingLogger();
    const source = createVideoFrameSource({ logger });
    const viaProbe = await failure(collectFrames(source.frames(stream('2'))));
    const viaFfmpeg = await failure(collectFrames(source.frames(stream('2', SECRET, 60), { frameCount: 4 })));
    expect([viaProbe.code, viaFfmpeg.code]).toEqual(['BAD_INPUT', 'BAD_INPUT']);
    expect(viaFfmpeg.message).toMatch(/not a video/);
    expectNoSecret([viaProbe, viaFfmpeg, logger.lines]);
  });

  it('reports a failing or unreachable Stash as STASH_UNAVAILABLE', async () => {
    const logger = createRecordingLogger();
    const source = createVideoFrameSource({ logger });
    const serverError = await failure(collectFrames(source.frames(stream('3', SECRET, DURATION_SEC), { frameCount: 2 })));
    const closed = await startMediaServer({ apiKey: SECRET, files: {} });
    const closedOrigin = closed.origin;
    await closed.close();
    const refused = await failure(
      collectFrames(source.frames({ url: `${closedOrigin}/scene/1/stream?apikey=${SECRET}`, headers: { ApiKey: SECRET } })),
    );
    expect([serverError.code, refused.code]).toEqual(['STASH_UNAVAILABLE', 'STASH_UNAVAILABLE']);
    expectNoSecret([serverError, refused, logger.lines]);
  });

  it('stops ffmpeg when the signal aborts, leaving no process behind', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const controller = new AbortController();
    const received: Frame[] = [];
    let processesAfterAbort: number[] | undefined;
    const run = (async () => {
      for await (const frame of source.frames(stream('1', SECRET, DURATION_SEC), { signal: controller.signal, maxBufferedFrames: 2 })) {
        received.push(frame);
        if (received.length === 1) {
          expect(ffmpegProcessesForServer().length).toBeGreaterThan(0);
          controller.abort();
          // Still busy with this frame, not asking for the next: ffmpeg must die anyway.
          processesAfterAbort = await waitUntilNone(ffmpegProcessesForServer, 5000);
        }
      }
    })();
    const error = await failure(run);
    expect(error.code).toBe('CANCELLED');
    expect(processesAfterAbort).toEqual([]);
    expect(received.length).toBeLessThan(60);
    expect(ffmpegProcessesForServer()).toEqual([]);
  });

  it('stops ffmpeg when the consumer stops reading early, even while ffmpeg is held back', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    for await (const frame of source.frames(stream('1', SECRET, DURATION_SEC), { maxBufferedFrames: 1 })) {
      expect(frame.image.width).toBe(1280);
      // Long enough for the buffer to fill and ffmpeg to be paused with frames still in its pipes.
      await new Promise((resolve) => setTimeout(resolve, 500));
      break;
    }
    expect(ffmpegProcessesForServer()).toEqual([]);
  }, 15_000);

  it('gives up on a stalled stream after the timeout and kills ffmpeg', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const error = await failure(collectFrames(source.frames(stream('4', SECRET, DURATION_SEC), { frameCount: 2, timeoutMs: 1500 })));
    expect(error.code).toBe('STASH_UNAVAILABLE');
    expect(error.message).toMatch(/no frame for 2 s/);
    expect(ffmpegProcessesForServer()).toEqual([]);
  });

  it('does not count the time the consumer spends on a frame against the timeout', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger() });
    const times: number[] = [];
    for await (const frame of source.frames(stream('1', SECRET, DURATION_SEC), { frameCount: 2, timeoutMs: 2500, maxBufferedFrames: 1 })) {
      times.push(frame.timestampSec!);
      if (times.length === 1) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    expect(times).toHaveLength(2);
  });

  it('says clearly when the ffmpeg binary is missing', async () => {
    const source = createVideoFrameSource({ logger: createRecordingLogger(), ffmpegPath: join(dir, 'no-ffmpeg'), ffprobePath: join(dir, 'no-ffprobe') });
    const withDuration = await failure(collectFrames(source.frames(stream('1', SECRET, DURATION_SEC), { frameCount: 2 })));
    const withoutDuration = await failure(collectFrames(source.frames(stream('1'))));
    expect(withDuration.message).toMatch(/ffmpeg was not found/);
    expect(withoutDuration.message).toMatch(/ffprobe was not found/);
    expect(await checkFfmpeg({ ffmpegPath: join(dir, 'no-ffmpeg') })).toEqual({ available: false, version: null });
  });

  it('reports the installed ffmpeg version for the health check', async () => {
    const status = await checkFfmpeg();
    expect(status.available).toBe(true);
    expect(status.version).toMatch(/^\S*\d+\.\d+/);
  });
});

async function waitUntilNone(list: () => number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let found = list();
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    found = list();
  }
  return found;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
