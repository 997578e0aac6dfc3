import type { BodyMeasurement, NoBodySignalReason } from './types.js';

/** A performer's body reference: the median ratio over their enrolled photos that gave a signal. */
export interface BodyReference {
  shoulderHipRatio: number;
  photoCount: number;
}

/** The median, which one odd photo (a turned torso, a loose coat) cannot drag the way it drags a mean. */
export function medianRatio(ratios: readonly number[]): number | undefined {
  const sorted = ratios.filter((ratio) => Number.isFinite(ratio)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function bodyReferenceOf(ratios: readonly number[]): BodyReference | undefined {
  const median = medianRatio(ratios);
  return median === undefined ? undefined : { shoulderHipRatio: median, photoCount: ratios.filter((ratio) => Number.isFinite(ratio)).length };
}

/**
 * One person seen several times (a scene's frames): the median of the ratios measured, or, when none gave one,
 * the most frequent reason; undefined when no frame was measured at all.
 */
export function combineMeasurements(measurements: readonly (BodyMeasurement | undefined)[]): BodyMeasurement | undefined {
  const ratios = measurements.flatMap((m) => (m?.kind === 'measured' ? [m.shoulderHipRatio] : []));
  const median = medianRatio(ratios);
  if (median !== undefined) return { kind: 'measured', shoulderHipRatio: median };
  const reasons = new Map<NoBodySignalReason, number>();
  for (const m of measurements) if (m?.kind === 'none') reasons.set(m.reason, (reasons.get(m.reason) ?? 0) + 1);
  const [reason] = [...reasons].sort((a, b) => b[1] - a[1])[0] ?? [];
  return reason ? { kind: 'none', reason } : undefined;
}
