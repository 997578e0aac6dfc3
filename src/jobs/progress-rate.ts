// Rate and ETA from recent progress. A window of recent samples, not the whole run, so a resumed job that skips
// its finished steps in a burst reads fast only briefly.

export interface ProgressSample {
  atMs: number;
  done: number;
}

export const RATE_WINDOW_MS = 60_000;
const MIN_SPAN_MS = 1000;

/** Adds a sample when `done` moved and drops those older than the window (keeping one to measure from). */
export function addSample(samples: ProgressSample[], sample: ProgressSample): void {
  const last = samples.at(-1);
  if (last && last.done === sample.done) return;
  if (last && sample.done < last.done) samples.length = 0;
  samples.push(sample);
  while (samples.length > 2 && sample.atMs - samples[1]!.atMs >= RATE_WINDOW_MS) samples.shift();
}

export function estimateRate(samples: readonly ProgressSample[], done: number, total: number | null): { ratePerMin: number | null; etaSec: number | null } {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.atMs - first.atMs < MIN_SPAN_MS || last.done <= first.done) {
    return { ratePerMin: null, etaSec: total !== null && done >= total ? 0 : null };
  }
  const ratePerMin = ((last.done - first.done) / (last.atMs - first.atMs)) * 60_000;
  const etaSec = total === null ? null : Math.max(0, Math.round(((total - done) / ratePerMin) * 60));
  return { ratePerMin: Math.round(ratePerMin * 100) / 100, etaSec };
}
