import { describe, expect, it } from 'vitest';
import { planFrameTimestamps, planSeekJobs } from '../../src/frames/index.js';
import { assignFramesToTargets } from '../../src/frames/seek-plan.js';

const options = { frameCount: 60, startFraction: 0.05, endFraction: 0.95 };

describe('frame timestamps', () => {
  it('spreads frames evenly from 5% to 95% of the duration', () => {
    const times = planFrameTimestamps(1000, options);
    expect(times).toHaveLength(60);
    expect(times[0]).toBeCloseTo(50, 9);
    expect(times[59]).toBeCloseTo(950, 9);
    expect(times[1]! - times[0]!).toBeCloseTo(900 / 59, 9);
  });

  it('takes the middle for one frame or an empty window', () => {
    expect(planFrameTimestamps(100, { ...options, frameCount: 1 })).toEqual([50]);
    expect(planFrameTimestamps(100, { ...options, startFraction: 0.6, endFraction: 0.4 })).toEqual([50]);
  });

  it('refuses a video without a duration', () => {
    expect(() => planFrameTimestamps(0, options)).toThrow(/no duration/);
    expect(() => planFrameTimestamps(Number.NaN, options)).toThrow(/no duration/);
  });
});

describe('seek plan', () => {
  const plan = { concurrency: 2, decodeThroughGapSec: 3, keyframeSeekGapSec: 10, maxInputsPerProcess: 8 };

  it('decodes a short scene straight through, split across the processes', () => {
    const jobs = planSeekJobs(planFrameTimestamps(24, options), plan);
    expect(jobs).toHaveLength(2);
    expect(jobs.map((job) => job.segments.length)).toEqual([1, 1]);
    expect(jobs.map((job) => job.segments[0]!.targets.length)).toEqual([30, 30]);
    expect(jobs[1]!.segments[0]!.startSec).toBeCloseTo(jobs[1]!.segments[0]!.targets[0]!.sec, 9);
    expect(jobs.every((job) => !job.segments[0]!.snapToKeyframe)).toBe(true);
  });

  it('seeks each frame of a long scene, several seeks per process', () => {
    const jobs = planSeekJobs(planFrameTimestamps(1800, options), plan);
    const segments = jobs.flatMap((job) => job.segments);
    expect(segments).toHaveLength(60);
    expect(segments.every((segment) => segment.targets.length === 1)).toBe(true);
    expect(jobs).toHaveLength(8);
    expect(Math.max(...jobs.map((job) => job.segments.length))).toBeLessThanOrEqual(8);
    // 27 s apart: each frame takes the keyframe before it rather than decoding up to its timestamp.
    expect(segments.every((segment) => segment.snapToKeyframe)).toBe(true);
    expect(segments[1]!.earliestSec).toBeCloseTo(segments[1]!.startSec - (0.9 * 1800) / 59 / 2, 9);
    // Every requested index appears exactly once.
    expect(segments.flatMap((segment) => segment.targets.map((target) => target.index)).sort((a, b) => a - b)).toEqual([...Array(60).keys()]);
  });

  it('seeks exactly when frames are a few seconds apart, where snapping to keyframes would repeat frames', () => {
    const segments = planSeekJobs(planFrameTimestamps(300, options), { ...plan, keyframeSeekGapSec: 10 }).flatMap((job) => job.segments);
    expect(segments).toHaveLength(60);
    expect(segments.some((segment) => segment.snapToKeyframe)).toBe(false);
  });

  it('maps frames to targets, giving one frame to targets closer together than the frame rate', () => {
    const segment = { startSec: 10, readSec: 1, snapToKeyframe: false, targets: [0, 0.01, 0.02, 0.05, 0.2].map((offset, index) => ({ index, sec: 10 + offset })) };
    const assigned = assignFramesToTargets(segment, [0, 1 / 30, 2 / 30, 7 / 30]);
    expect(assigned.map((target) => target?.index)).toEqual([0, 1, 3, 4]);
    expect(assigned[3]!.sec).toBeCloseTo(10 + 7 / 30, 9);
  });

  it('drops a snapped keyframe more than half-way back to the neighbouring target', () => {
    const segment = { startSec: 40, readSec: 1, snapToKeyframe: true, earliestSec: 35, targets: [{ index: 3, sec: 40 }] };
    expect(assignFramesToTargets(segment, [-4])).toEqual([{ index: 3, sec: 36 }]);
    expect(assignFramesToTargets(segment, [-12])).toEqual([null]);
  });
});
