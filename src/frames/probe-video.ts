// ffprobe over Stash's stream: the duration to spread frames over, and a cheap "is this a video" check.
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { buildProbeArgs, toolEnvironment } from './ffmpeg-args.js';
import { classifyFfmpegFailure, describeStream, missingBinaryError, redact, streamSecrets } from './ffmpeg-errors.js';
import { runCapture } from './run-capture.js';
import type { VideoStream } from './types.js';

export interface VideoProbe {
  durationSec: number;
  width: number | null;
  height: number | null;
}

export interface ProbeOptions {
  ffprobePath: string;
  timeoutMs: number;
  readTimeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
}

export async function probeVideo(stream: VideoStream, options: ProbeOptions): Promise<VideoProbe> {
  const args = buildProbeArgs(stream, options.readTimeoutMs);
  const result = await runCapture(options.ffprobePath, args, { timeoutMs: options.timeoutMs, signal: options.signal, env: toolEnvironment(stream) });
  if (result.kind === 'aborted') throw new SenseError('CANCELLED', 'Reading the video was cancelled');
  if (result.kind === 'timed-out') {
    throw new SenseError('STASH_UNAVAILABLE', `Stash did not answer for the video stream within ${Math.round(options.timeoutMs / 1000)} s`);
  }
  if (result.kind === 'not-started') {
    if (result.reason === 'missing-binary') throw missingBinaryError('ffprobe');
    throw new SenseError('INTERNAL', 'ffprobe could not be started');
  }
  const badInput = (): SenseError => new SenseError('BAD_INPUT', 'The scene file is not a video ffmpeg can read (corrupt or not a video)');
  if (result.exitCode !== 0) {
    options.logger.warn('ffprobe failed', {
      stream: describeStream(stream),
      exitCode: result.exitCode,
      stderr: redact(result.stderrLines.slice(-10).join('\n'), streamSecrets(stream)),
    });
    throw classifyFfmpegFailure(result.stderrLines, badInput);
  }
  const probe = parseProbe(result.stdout);
  if (!probe) throw new SenseError('BAD_INPUT', 'The scene file has no video stream');
  if (!(probe.durationSec > 0)) throw new SenseError('BAD_INPUT', 'The scene file has no duration, so no frames can be chosen from it');
  return probe;
}

function parseProbe(stdout: string): VideoProbe | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const streams = Array.isArray(parsed.streams) ? parsed.streams.filter(isRecord) : [];
  const video = streams.find((stream) => stream.codec_type === 'video');
  if (!video) return undefined;
  const format = isRecord(parsed.format) ? parsed.format : {};
  const durationSec = [format.duration, video.duration].map(Number).find((value) => value > 0) ?? Number.NaN;
  return {
    durationSec,
    width: typeof video.width === 'number' ? video.width : null,
    height: typeof video.height === 'number' ? video.height : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
