// Pure builders for the ffmpeg and ffprobe command lines.
import type { SeekJob, SeekSegment } from './seek-plan.js';
import type { VideoStream } from './types.js';

export interface ExtractArgsOptions {
  /** Frames larger than this on their longer side are scaled down; smaller ones keep their size. */
  maxDimension: number;
  /** Network read timeout ffmpeg applies to the stream (stalls fail instead of hanging). */
  readTimeoutMs: number;
}

/** The first output pipe; fds 0–2 are stdin, stdout (unused) and stderr (logs, showinfo). */
export const FIRST_OUTPUT_FD = 3;

/** Segment `i` of a job writes PPM frames to fd `FIRST_OUTPUT_FD + i` and logs its frame times as `showinfo@s<i>`. */
export function buildExtractArgs(job: SeekJob, stream: VideoStream, options: ExtractArgsOptions): string[] {
  const inputs = job.segments.flatMap((segment) => [
    // Without accurate seek ffmpeg starts at the keyframe before -ss and drops nothing before the target.
    ...(segment.snapToKeyframe ? ['-noaccurate_seek'] : []),
    '-ss', seconds(segment.startSec),
    '-t', seconds(segment.readSec),
    ...inputOptions(stream, options.readTimeoutMs),
    '-i', stream.url,
  ]);
  const outputs = job.segments.flatMap((segment, i) => [
    '-map', `${i}:V:0`,
    '-vf', [segment.snapToKeyframe ? [] : [selectFilter(segment)], scaleFilter(options.maxDimension), `showinfo@s${i}=checksum=0`].flat().join(','),
    '-frames:v', String(segment.targets.length),
    '-f', 'image2pipe',
    '-c:v', 'ppm',
    `pipe:${FIRST_OUTPUT_FD + i}`,
  ]);
  // `-vsync passthrough`: image2pipe would otherwise duplicate frames to a constant rate.
  // (`-fps_mode` replaces it from 5.1, but 4.x, still on Ubuntu 22.04, only knows `-vsync`.)
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...inputs, '-vsync', 'passthrough', ...outputs];
}

export function buildProbeArgs(stream: VideoStream, readTimeoutMs: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    ...inputOptions(stream, readTimeoutMs),
    '-select_streams', 'V:0',
    '-show_entries', 'format=duration:stream=codec_type,duration,width,height',
    '-of', 'json',
    stream.url,
  ];
}

function inputOptions(stream: VideoStream, readTimeoutMs: number): string[] {
  const options: string[] = [];
  if (/^https?:/i.test(stream.url)) options.push('-rw_timeout', String(Math.round(readTimeoutMs * 1000)));
  const headers = headerBlock(stream.headers);
  if (headers) options.push('-headers', headers);
  return options;
}

/** ffmpeg's `-headers` value: `Name: value` lines, each ended by CRLF. */
export function headerBlock(headers: VideoStream['headers']): string {
  if (headers === undefined) return '';
  if (typeof headers === 'string') return headers === '' || headers.endsWith('\r\n') ? headers : `${headers}\r\n`;
  return Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

/**
 * Picks, for each target, the first frame at or after it: a frame passes when some target lies in
 * (previous selected time, this frame's time]. Times are relative to the segment's accurate seek.
 */
function selectFilter(segment: SeekSegment): string {
  const previous = 'if(isnan(prev_selected_t)\\,-1\\,prev_selected_t)';
  const terms = segment.targets.map((target) => {
    const relative = seconds(Math.max(0, target.sec - segment.startSec - 0.001));
    return `gte(t\\,${relative})*lt(${previous}\\,${relative})`;
  });
  return `select=gt(${terms.join('+')}\\,0)`;
}

/** Square pixels (anamorphic sources widened), longer side at most `maxDimension`, never enlarged. */
function scaleFilter(maxDimension: number): string {
  const factor = `min(1\\,${maxDimension}/max(iw*sar\\,ih))`;
  return `scale=w=trunc(iw*sar*${factor}):h=trunc(ih*${factor}),setsar=1`;
}

function seconds(value: number): string {
  return value.toFixed(6);
}

/** The environment ffmpeg and ffprobe run with: the stream's proxy, when it has one, and nothing exempt from it. */
export function toolEnvironment(stream: VideoStream): NodeJS.ProcessEnv | undefined {
  if (!stream.proxy) return undefined;
  return { ...process.env, http_proxy: stream.proxy, no_proxy: '', NO_PROXY: '' };
}
