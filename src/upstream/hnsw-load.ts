// Loading a converted index with hnswlib-node, e.g. to read vectors back with `getPoint`.
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW } from 'hnswlib-node';
import type { VoyagerSpace } from './voyager-format.js';

/**
 * Loads a file written by `convertVoyagerToHnsw` into a fresh index object (never reuse one whose
 * `readIndex` is pending: the native side frees it under the caller).
 */
export async function loadConvertedIndex(path: string, dims: number, space: VoyagerSpace = 'cosine'): Promise<HierarchicalNSW> {
  const index = new hnswlib.HierarchicalNSW(space, dims);
  await index.readIndex(path);
  return index;
}
