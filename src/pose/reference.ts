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
