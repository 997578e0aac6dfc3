// Frames from Stash's video stream: a few ffmpeg processes, each seeking into several parts of the
// stream and writing raw RGB, yielded as they decode.
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { buildExtractArgs, toolEnvironment } from './ffmpeg-args.js';
import { classifyFfmpegFailure, describeStream, missingBinaryError, redact, streamSecrets } from './ffmpeg-errors.js';
import { startJob, type JobFrame, type JobOutcome, type RunningJob } from './ffmpeg-job.js';
import { probeVideo, type VideoProbe } from './probe-video.js';
import { planFrameTimestamps, planSeekJobs, planSeekTargets, type SeekTarget } from './seek-plan.js';
import type { Frame, VideoStream } from './types.js';

export interface VideoFrameOptions {
  /** Frames to take (60, as the Python sidecar). */
  frameCount: number;
  startFraction: number;
  endFraction: number;
  /** ffmpeg processes at once. */
  concurrency: number;
  /** Longer side cap; smaller videos keep their native size. */
  maxDimension: number;
  decodeThroughGapSec: number;
  /** Frames at least this far apart take the keyframe before their timestamp (see `SeekSegment.snapToKeyframe`). */
  keyframeSeekGapSec: number;
  maxInputsPerProcess: number;
  /**
   * Longest wait for ffmpeg's next frame (or for the probe). Time the consumer spends on frames does
   * not count: while it holds ffmpeg back (buffer full) the clock stops.
   */
  timeoutMs: number;
  /** A stalled network read fails after this. */
  readTimeoutMs: number;
  /** Decoded frames held for a slow consumer before ffmpeg is paused (a 1080p frame is 6 MB). */
  maxBufferedFrames: number;
}

export const defaultVideoFrameOptions: VideoFrameOptions = {
  frameCount: 60,
  startFraction: 0.05,
  endFraction: 0.95,
  concurrency: 2,
  maxDimension: 1920,
  decodeThroughGapSec: 3,
  keyframeSeekGapSec: 5,
  maxInputsPerProcess: 8,
  timeoutMs: 60_000,
  readTimeoutMs: 30_000,
  maxBufferedFrames: 8,
};

export interface ExtractOptions extends Partial<VideoFrameOptions> {
  signal?: AbortSignal;
  /** Exact timestamps to read instead of `frameCount` spread over the duration. */
  timestampsSec?: number[];
}

export interface VideoFrameSource {
  probe(stream: VideoStream, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<VideoProbe>;
  /**
   * Frames in the order they finish decoding (not timestamp order: several processes run at once);
   * each carries its `index` in the requested timestamps. Breaking out of the loop stops ffmpeg.
   */
  frames(stream: VideoStream, options?: ExtractOptions): AsyncIterable<Frame>;
}

export interface VideoFrameSourceDeps {
  logger: Logger;
  ffmpegPath?: string;
  ffprobePath?: string;
  defaults?: Partial<VideoFrameOptions>;
}

export function createVideoFrameSource(deps: VideoFrameSourceDeps): VideoFrameSource {
  const ffmpegPath = deps.ffmpegPath ?? 'ffmpeg';
  const ffprobePath = deps.ffprobePath ?? 'ffprobe';
  const defaults = { ...defaultVideoFrameOptions, ...deps.defaults };
  const probe = (stream: VideoStream, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<VideoProbe> =>
    probeVideo(stream, {
      ffprobePath,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      readTimeoutMs: defaults.readTimeoutMs,
      signal: options.signal,
      logger: deps.logger,
    });
  return {
    probe,
    frames: (stream, options = {}) => extractFrames(stream, { ...defaults, ...definedOnly(options) }, options, { ffmpegPath, probe, logger: deps.logger }),
  };
}

/** Drains a frame iterable into an array in timestamp order. */
export async function collectFrames(frames: AsyncIterable<Frame>): Promise<Frame[]> {
  const all: Frame[] = [];
  for await (const frame of frames) all.push(frame);
  return all.sort((a, b) => a.index - b.index);
}

interface ExtractContext {
  ffmpegPath: string;
  probe: VideoFrameSource['probe'];
  logger: Logger;
}

async function* extractFrames(stream: VideoStream, settings: VideoFrameOptions, options: ExtractOptions, context: ExtractContext): AsyncGenerator<Frame> {
  const { logger } = context;
  const secrets = streamSecrets(stream);
  const where = describeStream(stream);
  const startedAt = performance.now();
  const controller = new AbortController();
  const running = new Set<RunningJob>();
  let failure: SenseError | undefined;
  let wake: (() => void) | undefined;
  // Kills at once, not when the consumer next asks for a frame: it may be busy for a long while.
  const fail = (error: SenseError): void => {
    failure ??= error;
    controller.abort();
    running.forEach((job) => job.kill());
    wake?.();
  };
  const onAbort = (): void => fail(new SenseError('CANCELLED', 'Reading frames from the video was cancelled'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const stopClock = (): void => clearTimeout(timer);
  const restartClock = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => fail(new SenseError('STASH_UNAVAILABLE', `The video stream gave no frame for ${Math.round(settings.timeoutMs / 1000)} s`)),
      settings.timeoutMs,
    );
  };
  restartClock();
  // Set once the generator ends (finished, failed or the consumer stopped): kills are ours, not failures.
  let closing = false;
  try {
    if (failure) throw failure;
    let durationSec = stream.durationSec;
    if (!(durationSec !== undefined && durationSec > 0)) {
      durationSec = (await context.probe(stream, { signal: controller.signal, timeoutMs: settings.timeoutMs }).catch((error: unknown) => {
        throw failure ?? error;
      })).durationSec;
      restartClock();
    }
    const timestamps = options.timestampsSec ?? planFrameTimestamps(durationSec, settings);
    const jobs = planSeekJobs(timestamps, settings);
    const queue: Frame[] = [];
    let paused = false;
    let nextJob = 0;
    let delivered = 0;
    let missing = 0;
    let duplicates = 0;
    const retries: SeekTarget[] = [];
    let badInput: SenseError | undefined;

    const seenMs = new Set<number>();
    const onFrame = (frame: JobFrame): void => {
      // Two segments that met on one frame (targets closer than the frame rate at a split): keep one copy.
      const ms = Math.round(frame.timestampSec * 1000);
      if (seenMs.has(ms)) {
        duplicates += 1;
        return;
      }
      seenMs.add(ms);
      queue.push({ image: frame.image, source: 'stream', timestampSec: frame.timestampSec, index: frame.index });
      restartClock();
      if (queue.length >= settings.maxBufferedFrames && !paused) {
        paused = true;
        stopClock();
        running.forEach((job) => job.pause());
      }
      wake?.();
    };
    const settle = (job: RunningJob, outcome: JobOutcome): void => {
      running.delete(job);
      if (failure || closing) return;
      if (outcome.kind === 'not-started') {
        fail(outcome.reason === 'missing-binary' ? missingBinaryError('ffmpeg') : new SenseError('INTERNAL', 'ffmpeg could not be started'));
        return;
      }
      if (outcome.kind === 'finished') {
        missing += outcome.missing;
        retries.push(...outcome.snappedTooFar);
      } else {
        const error = classifyFfmpegFailure(outcome.stderrTail, () => new SenseError('BAD_INPUT', 'ffmpeg could not decode the scene video'));
        logger.warn('ffmpeg failed', {
          stream: where,
          exitCode: outcome.exitCode,
          code: error.code,
          stderr: redact(outcome.stderrTail.slice(-12).join('\n'), secrets),
        });
        // A damaged stretch of video costs its frames, not the scene; anything about Stash stops all.
        if (error.code === 'BAD_INPUT') badInput ??= error;
        else fail(error);
      }
      if (running.size === 0 && nextJob >= jobs.length && retries.length > 0) {
        // Keyframes further apart than the frames: read those targets again, exactly this time.
        logger.debug('exact seeks for frames whose keyframe was too far back', { stream: where, frames: retries.length });
        jobs.push(...planSeekTargets(retries.splice(0), { ...settings, keyframeSeekGapSec: Number.POSITIVE_INFINITY }));
      }
      launch();
      // Nothing left to wait for: a slow consumer of the last frames must not trip the clock.
      if (running.size === 0) stopClock();
      wake?.();
    };
    const launch = (): void => {
      while (!failure && !closing && running.size < settings.concurrency && nextJob < jobs.length) {
        const seekJob = jobs[nextJob++]!;
        const args = buildExtractArgs(seekJob, stream, settings);
        const job = startJob(context.ffmpegPath, args, seekJob, onFrame, toolEnvironment(stream));
        running.add(job);
        if (paused) job.pause();
        void job.outcome.then((outcome) => settle(job, outcome));
      }
    };
    launch();

    while (true) {
      if (failure) throw failure;
      const frame = queue.shift();
      if (frame) {
        if (paused && queue.length < settings.maxBufferedFrames / 2) {
          paused = false;
          restartClock();
          running.forEach((job) => job.resume());
        }
        delivered += 1;
        yield frame;
        continue;
      }
      if (running.size === 0 && nextJob >= jobs.length) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    if (delivered === 0) throw badInput ?? new SenseError('BAD_INPUT', 'No frames could be decoded from the scene video');
    if (missing > 0 || badInput) logger.warn('some video frames could not be read', { stream: where, requested: timestamps.length, delivered });
    if (duplicates > 0) logger.info('video frames repeated', { stream: where, duplicates });
    logger.info('video frames read', {
      stream: where,
      frames: delivered,
      requested: timestamps.length,
      processes: jobs.length,
      ms: Math.round(performance.now() - startedAt),
    });
  } finally {
    closing = true;
    stopClock();
    options.signal?.removeEventListener('abort', onAbort);
    const exits = [...running].map((job) => {
      job.kill();
      return job.outcome;
    });
    await Promise.all(exits);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
