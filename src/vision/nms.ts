import type { Box } from './types.js';

export function boxArea(box: Box): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

export function intersectionArea(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/** Intersection over union, 0 for disjoint or empty boxes. */
export function iou(a: Box, b: Box): number {
  const intersection = intersectionArea(a, b);
  if (intersection === 0) return 0;
  return intersection / (boxArea(a) + boxArea(b) - intersection);
}

/**
 * Standard greedy non-maximum suppression: highest score first, drop anything overlapping a kept box
 * by IoU ≥ threshold. Ties keep input order, so the result is deterministic.
 */
export function nonMaxSuppression<T extends { box: Box; score: number }>(items: readonly T[], iouThreshold: number): T[] {
  const order = items.map((item, index) => ({ item, index })).sort((a, b) => b.item.score - a.item.score || a.index - b.index);
  const kept: T[] = [];
  for (const { item } of order) {
    if (kept.every((other) => iou(item.box, other.box) < iouThreshold)) kept.push(item);
  }
  return kept;
}
