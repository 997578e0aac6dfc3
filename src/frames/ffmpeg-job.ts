// Runs one ffmpeg process of a seek plan: reads each segment's PPM pipe, pairs frames with the times
// showinfo logs for them, and reports how the process ended.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FIRST_OUTPUT_FD } from './ffmpeg-args.js';
import { PpmReader } from './ppm-reader.js';
import { assignFramesToTargets, type SeekJob, type SeekTarget } from './seek-plan.js';
import type { RgbImage } from './types.js';

export interface JobFrame {
  image: RgbImage;
  index: number;
  timestampSec: number;
}

export type JobOutcome =
  | { kind: 'finished'; frames: number; missing: number; snappedTooFar: SeekTarget[]; stderrTail: string[] }
  | { kind: 'failed'; exitCode: number | null; signal: string | null; stderrTail: string[]; framesBeforeFailure: number }
  | { kind: 'not-started'; reason: 'missing-binary' | 'spawn-failed'; message: string };

export interface RunningJob {
  /** Settles when the process has exited and every pipe is drained; never rejects. */
  outcome: Promise<JobOutcome>;
  pause(): void;
  resume(): void;
  kill(): void;
}

// Segment i's showinfo logs as `[showinfo@s<i> @ 0x…]` (5.x) or `[Parsed_showinfo_2@s<i> @ 0x…]`; accept both.
const SHOWINFO = /^\[(?:Parsed_)?showinfo(?:_\d+)?@s(\d+) @ [^\]]*\] n:\s*\d+ pts:\s*-?\d+ pts_time:(-?[\d.e+-]+)/;
const SHOWINFO_ANY = /^\[(?:Parsed_)?showinfo(?:_\d+)?@s\d+ /;
const TAIL_LINES = 40;

export function startJob(ffmpegPath: string, args: string[], job: SeekJob, onFrame: (frame: JobFrame) => void, env?: NodeJS.ProcessEnv): RunningJob {
  const outputs = job.segments.length;
  const child: ChildProcess = spawn(ffmpegPath, args, {
    env,
    stdio: ['ignore', 'ignore', 'pipe', ...Array.from({ length: outputs }, () => 'pipe' as const)],
  });
  const pipes = Array.from({ length: outputs }, (_, i) => child.stdio[FIRST_OUTPUT_FD + i] as Readable);
  const images: RgbImage[][] = job.segments.map(() => []);
  const times: number[][] = job.segments.map(() => []);
  const emitted = job.segments.map(() => 0);
  const stderrTail: string[] = [];
  let total = 0;
  const snappedTooFar: SeekTarget[] = [];
  let parseError: Error | undefined;

  const flush = (segmentIndex: number): void => {
    const segment = job.segments[segmentIndex]!;
    const assigned = assignFramesToTargets(segment, times[segmentIndex]!);
    const ready = images[segmentIndex]!;
    while (ready.length > 0 && emitted[segmentIndex]! < assigned.length) {
      const target = assigned[emitted[segmentIndex]!];
      emitted[segmentIndex]! += 1;
      const image = ready.shift()!;
      if (!target) {
        snappedTooFar.push(segment.targets[0]!);
        continue;
      }
      total += 1;
      onFrame({ image, index: target.index, timestampSec: round3(target.sec) });
    }
  };

  pipes.forEach((pipe, i) => {
    const reader = new PpmReader();
    pipe.on('data', (chunk: Buffer) => {
      if (parseError) return;
      try {
        images[i]!.push(...reader.push(chunk));
      } catch (error: unknown) {
        parseError = error instanceof Error ? error : new Error(String(error));
        child.kill('SIGKILL');
        return;
      }
      flush(i);
    });
    pipe.on('error', () => {});
  });

  let pending = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    const lines = (pending + text).split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) readStderrLine(line);
  });
  const readStderrLine = (line: string): void => {
    const info = SHOWINFO.exec(line);
    if (info) {
      const segmentIndex = Number(info[1]);
      times[segmentIndex]?.push(Number(info[2]));
      if (segmentIndex < outputs) flush(segmentIndex);
      return;
    }
    if (SHOWINFO_ANY.test(line) || line.trim() === '') return;
    stderrTail.push(line);
    if (stderrTail.length > TAIL_LINES) stderrTail.shift();
  };

  const outcome = new Promise<JobOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? 'missing-binary' : 'spawn-failed';
      resolve({ kind: 'not-started', reason, message: error.message });
    });
    // 'close' fires after the process exited and all its pipes ended, so every frame has been read.
    child.once('close', (exitCode, signal) => {
      if (pending) readStderrLine(pending);
      job.segments.forEach((segment, i) => {
        flush(i);
        // Frames whose showinfo line never came (an ffmpeg that logs differently): take the targets in order.
        for (const image of images[i]!.splice(0)) {
          const target = segment.targets[Math.min(emitted[i]!, segment.targets.length - 1)]!;
          emitted[i]! += 1;
          total += 1;
          onFrame({ image, index: target.index, timestampSec: round3(target.sec) });
        }
      });
      if (parseError) stderrTail.push(`(frame stream unreadable: ${parseError.message})`);
      if (exitCode === 0 && !parseError) {
        const requested = job.segments.reduce((sum, segment) => sum + segment.targets.length, 0);
        resolve({ kind: 'finished', frames: total, missing: requested - total - snappedTooFar.length, snappedTooFar, stderrTail });
      } else {
        resolve({ kind: 'failed', exitCode, signal, stderrTail, framesBeforeFailure: total });
      }
    });
  });

  return {
    outcome,
    pause: () => pipes.forEach((pipe) => pipe.pause()),
    resume: () => pipes.forEach((pipe) => pipe.resume()),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // A paused pipe with unread frames would otherwise hold back the child's 'close'.
      pipes.forEach((pipe) => pipe.destroy());
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
