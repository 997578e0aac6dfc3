// Pure decisions about which video frames to read and how to group the reads into ffmpeg processes.
import { SenseError } from '../errors.js';

export interface TimestampOptions {
  frameCount: number;
  /** Fraction of the duration where sampling starts (0.05 skips intros). */
  startFraction: number;
  /** Fraction of the duration where sampling ends (0.95 skips credits). */
  endFraction: number;
}

/** One timestamp to read, with its position in the requested list. */
export interface SeekTarget {
  index: number;
  sec: number;
}

/** One ffmpeg input: an accurate seek to `startSec`, then decoding straight through to every target in it. */
export interface SeekSegment {
  startSec: number;
  /** How much of the input to read (`-t`): up to the last target plus a margin for its frame. */
  readSec: number;
  targets: SeekTarget[];
  /**
   * Take the keyframe at or before the (single) target instead of decoding from it up to the target:
   * one frame decoded instead of up to a whole GOP, at the price of landing up to a GOP early.
   */
  snapToKeyframe: boolean;
  /**
   * For a snapped segment: a keyframe before this (half-way to the nearest other target) is too far off;
   * such a frame is dropped and its target read again with an exact seek.
   */
  earliestSec?: number;
}

/** One ffmpeg process: several inputs (segments) of the same stream, each to its own output pipe. */
export interface SeekJob {
  segments: SeekSegment[];
}

export interface SeekPlanOptions {
  /** Processes that may run at once. */
  concurrency: number;
  /**
   * Targets closer than this are decoded straight through rather than seeked to separately.
   * A fresh seek costs an input open plus decoding from the previous keyframe (GOPs run 2–10 s);
   * decoding through a gap costs the frames in it, so below about 3 s decoding through is cheaper.
   */
  decodeThroughGapSec: number;
  /** Inputs per process: more saves process starts, fewer lets the first frames arrive sooner. */
  maxInputsPerProcess: number;
  /**
   * A lone target at least this far from its neighbours snaps to the keyframe before it (long scenes,
   * where frames are far apart and keyframes are close enough that snapping keeps them distinct).
   * `Infinity` always seeks exactly.
   */
  keyframeSeekGapSec: number;
  /** Extra seconds read past a segment's last target so the frame at or after it is reached. */
  tailSec?: number;
}

/** `count` timestamps spread evenly over [start, end] of the duration, as the Python sidecar does. */
export function planFrameTimestamps(durationSec: number, options: TimestampOptions): number[] {
  if (!Number.isFinite(durationSec) || durationSec <= 0) {
    throw new SenseError('BAD_INPUT', 'The video has no duration, so no frames can be chosen from it');
  }
  const { frameCount: count, startFraction, endFraction } = options;
  if (!Number.isInteger(count) || count < 1) throw new SenseError('BAD_INPUT', `Frame count must be a positive integer, got ${count}`);
  const start = clamp(durationSec * startFraction, 0, durationSec);
  const end = clamp(durationSec * endFraction, 0, durationSec);
  if (end <= start) return [durationSec / 2];
  if (count === 1) return [(start + end) / 2];
  const step = (end - start) / (count - 1);
  return Array.from({ length: count }, (_, i) => start + i * step);
}

/** Groups timestamps into segments (decode-through runs) and segments into processes. */
export function planSeekJobs(timestamps: readonly number[], options: SeekPlanOptions): SeekJob[] {
  return planSeekTargets(timestamps.map((sec, index) => ({ index, sec })), options);
}

/** `planSeekJobs` for targets that keep indexes of their own (a retry of some of them). */
export function planSeekTargets(unsorted: readonly SeekTarget[], options: SeekPlanOptions): SeekJob[] {
  if (unsorted.length === 0) return [];
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const tailSec = options.tailSec ?? 1;
  const targets = [...unsorted].sort((a, b) => a.sec - b.sec);

  const runs: SeekTarget[][] = [];
  for (const target of targets) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && target.sec - last.sec <= options.decodeThroughGapSec) run.push(target);
    else runs.push([target]);
  }
  // A long run split in pieces lets several processes decode it side by side.
  const pieceSize = Math.ceil(targets.length / concurrency);
  const segments: SeekSegment[] = runs.flatMap((run) => chunk(run, pieceSize)).map((piece) => {
    const first = piece[0]!;
    const last = piece.at(-1)!;
    return { startSec: first.sec, readSec: last.sec - first.sec + tailSec, targets: piece, snapToKeyframe: false };
  });
  segments.forEach((segment, i) => {
    if (segment.targets.length !== 1) return;
    const sec = segment.startSec;
    const before = i > 0 ? sec - segments[i - 1]!.targets.at(-1)!.sec : Number.POSITIVE_INFINITY;
    const after = i + 1 < segments.length ? segments[i + 1]!.startSec - sec : Number.POSITIVE_INFINITY;
    const nearest = Math.min(before, after);
    segment.snapToKeyframe = nearest >= options.keyframeSeekGapSec && segments.length > 1;
    if (segment.snapToKeyframe) segment.earliestSec = sec - nearest / 2;
  });

  const jobCount = Math.max(Math.min(concurrency, segments.length), Math.ceil(segments.length / Math.max(1, options.maxInputsPerProcess)));
  return Array.from({ length: jobCount }, (_, j) => ({
    segments: segments.slice(Math.floor((j * segments.length) / jobCount), Math.floor(((j + 1) * segments.length) / jobCount)),
  }));
}

/**
 * Matches the frames a segment produced (their times relative to its start) to its targets: each frame
 * stands for the first target it reached; targets it skipped over (frames sparser than targets) get none.
 * `null` marks a frame to drop: a snapped keyframe too far before its target (a GOP longer than the
 * gap between frames, or a target past the end of the video).
 */
export function assignFramesToTargets(segment: SeekSegment, frameTimesSec: readonly number[]): (SeekTarget | null)[] {
  const toleranceSec = 0.001;
  const assigned: (SeekTarget | null)[] = [];
  let next = 0;
  for (const relativeSec of frameTimesSec) {
    const target = segment.targets[Math.min(next, segment.targets.length - 1)]!;
    const sec = segment.startSec + relativeSec;
    const stale = segment.earliestSec !== undefined && sec < segment.earliestSec - toleranceSec;
    assigned.push(stale ? null : { index: target.index, sec });
    while (next < segment.targets.length && segment.targets[next]!.sec - segment.startSec <= relativeSec + toleranceSec) next += 1;
    next = Math.max(next, assigned.length);
  }
  return assigned;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const pieces: T[][] = [];
  for (let i = 0; i < items.length; i += size) pieces.push(items.slice(i, i + size));
  return pieces;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
