import { describe, expect, it } from 'vitest';
import { addSample, estimateRate, type ProgressSample } from '../../src/jobs/progress-rate.js';

describe('progress rate', () => {
  it('measures items per minute over recent samples and estimates the time left', () => {
    const samples: ProgressSample[] = [];
    for (let second = 0; second <= 60; second += 10) addSample(samples, { atMs: second * 1000, done: second / 2 });
    expect(estimateRate(samples, 30, 90)).toEqual({ ratePerMin: 30, etaSec: 120 });
  });

  it('forgets a burst older than the window, such as finished steps skipped on resume', () => {
    const samples: ProgressSample[] = [];
    addSample(samples, { atMs: 0, done: 0 });
    addSample(samples, { atMs: 100, done: 500 });
    for (let second = 10; second <= 130; second += 10) addSample(samples, { atMs: second * 1000, done: 500 + second / 10 });
    expect(estimateRate(samples, 513, 600).ratePerMin).toBeCloseTo(6, 0);
  });

  it('reports no rate until progress has spanned a second', () => {
    const samples: ProgressSample[] = [];
    addSample(samples, { atMs: 0, done: 0 });
    addSample(samples, { atMs: 500, done: 3 });
    expect(estimateRate(samples, 3, 10)).toEqual({ ratePerMin: null, etaSec: null });
  });
});
