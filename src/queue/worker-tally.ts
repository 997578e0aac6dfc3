import type { TagBackItem } from '../tagback/index.js';

export interface WorkerTally {
  name: string;
  scenes: number;
}

/** Scenes per worker in a distributed batch, busiest first (ties by name); empty when no item names a worker. */
export function tallyWorkers(items: readonly TagBackItem[]): WorkerTally[] {
  const counts = new Map<string, number>();
  for (const item of items) if (item.worker) counts.set(item.worker, (counts.get(item.worker) ?? 0) + 1);
  return [...counts].map(([name, scenes]) => ({ name, scenes })).sort((a, b) => b.scenes - a.scenes || a.name.localeCompare(b.name));
}
