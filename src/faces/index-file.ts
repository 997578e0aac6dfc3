// hnswlib index files: generation names, durable writes, validation before load, and clean-up of strays.
import { randomBytes } from 'node:crypto';
import { copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

const { HierarchicalNSW } = hnswlib;
export type HnswIndex = InstanceType<typeof HierarchicalNSW>;

export const INDEX_M = 16;
export const INDEX_EF_CONSTRUCTION = 200;
const INITIAL_CAPACITY = 1024;
const HEADER_BYTES = 96;

/** Files we own: `<model>.<generation>.hnsw`, plus `.tmp` while being written. Nothing else is ever removed. */
const OWN_FILE = /^[A-Za-z0-9][A-Za-z0-9_-]*\.\d{8}T\d{9}Z-[0-9a-f]{8}\.hnsw(\.tmp)?$/;
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** A sortable, unique stamp: names the index files of one write and is the database version it commits. */
export function newGeneration(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

export function indexFileName(model: string, generation: string): string {
  return `${model}.${generation}.hnsw`;
}

export function createEmptyIndex(dims: number, efSearch: number): HnswIndex {
  const index = new HierarchicalNSW('cosine', dims);
  index.initIndex({ maxElements: INITIAL_CAPACITY, m: INDEX_M, efConstruction: INDEX_EF_CONSTRUCTION, randomSeed: 100 });
  index.setEf(efSearch);
  return index;
}

/** Loads into a fresh object (hnswlib-node's readIndex replaces the native index of the object it runs on). */
export async function loadIndexFile(path: string, dims: number, efSearch: number): Promise<{ index: HnswIndex; count: number }> {
  const { count } = await checkIndexFile(path, dims);
  const index = new HierarchicalNSW('cosine', dims);
  try {
    await index.readIndex(path);
  } catch (error: unknown) {
    throw new SenseError('CONFLICT', `index file ${path} cannot be loaded (${errorMessage(error)}); rebuild the face database`, { cause: error });
  }
  index.setEf(efSearch); // readIndex resets ef to 10
  return { index, count };
}

/**
 * Writes `index` as `name` in `dir`: to a temporary name, synced, checked, then renamed, so the final name only
 * ever holds a complete file. hnswlib's saveIndex reports no I/O errors, hence the check.
 */
export async function writeIndexFile(index: HnswIndex, dir: string, name: string, dims: number): Promise<void> {
  const temporary = join(dir, `${name}.tmp`);
  try {
    await index.writeIndex(temporary);
    await syncFile(temporary);
    const { count } = await checkIndexFile(temporary, dims);
    if (count !== index.getCurrentCount()) throw new Error(`wrote ${count} of ${index.getCurrentCount()} vectors`);
    await rename(temporary, join(dir, name));
  } catch (error: unknown) {
    await unlink(temporary).catch(() => {});
    throw new SenseError('INTERNAL', `writing index file ${name} failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** Moves a prebuilt index file into `dir` as `name` (copying when it lives on another file system). */
export async function adoptIndexFile(source: string, dir: string, name: string): Promise<void> {
  const temporary = join(dir, `${name}.tmp`);
  try {
    await moveFile(source, temporary);
    await syncFile(temporary);
    await rename(temporary, join(dir, name));
  } catch (error: unknown) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

export async function moveFile(source: string, target: string): Promise<void> {
  try {
    await rename(source, target);
  } catch (error: unknown) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EXDEV')) throw error;
    await copyFile(source, target);
    await syncFile(target);
    await unlink(source);
  }
}

/**
 * Validates an hnswlib (v0.8) file for a cosine index of `dims` without loading it: hnswlib itself would load a
 * file of other dims "successfully" and then return garbage. Walks the upper-layer link lists to the exact end.
 */
export async function checkIndexFile(path: string, dims: number): Promise<{ count: number; capacity: number }> {
  const fail = (reason: string): never => {
    throw new SenseError('CONFLICT', `index file ${path} is not a valid ${dims}-d index (${reason}); rebuild the face database`);
  };
  const size = await stat(path).then(
    (info) => info.size,
    (error: unknown) => fail(errorMessage(error)),
  );
  if (size < HEADER_BYTES) fail('too short');
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    const field = (offset: number) => Number(header.readBigUInt64LE(offset));
    const [offsetLevel0, capacity, count, sizePerElement, labelOffset, offsetData] = [0, 8, 16, 24, 32, 40].map(field) as [number, number, number, number, number, number];
    const maxM = field(56);
    const maxM0 = field(64);
    if (offsetLevel0 !== 0 || offsetData !== maxM0 * 4 + 4 || labelOffset !== offsetData + dims * 4 || sizePerElement !== labelOffset + 8) {
      fail(`element layout ${sizePerElement} B does not fit ${dims} dims`);
    }
    if (count > capacity) fail(`${count} elements exceed capacity ${capacity}`);
    const linksStart = HEADER_BYTES + count * sizePerElement;
    if (size < linksStart) fail('truncated');
    const links = Buffer.alloc(size - linksStart);
    await handle.read(links, 0, links.length, linksStart);
    const linkBlock = maxM * 4 + 4;
    let offset = 0;
    for (let i = 0; i < count; i++) {
      if (offset + 4 > links.length) fail('truncated link lists');
      const length = links.readUInt32LE(offset);
      if (length % linkBlock !== 0) fail('corrupt link lists');
      offset += 4 + length;
    }
    if (offset !== links.length) fail('unexpected length');
    return { count, capacity };
  } finally {
    await handle.close();
  }
}

/** hnswlib's per-element flag byte (offset 2 of a level-0 record): bit 0 marks a deleted element. */
const DELETE_MARK = 0x01;
const SCAN_CHUNK_BYTES = 8 << 20;

export interface IndexLabels {
  /** Labels of the elements a search can return. */
  live: number[];
  /** Labels marked deleted: still in the graph, never returned. */
  deleted: number[];
}

/**
 * Reads every element's label and delete mark from an index file (checked first) without loading it: hnswlib-node
 * lists deleted labels with the live ones and cannot tell them apart. Reads the level-0 block in large chunks.
 */
export async function readIndexLabels(path: string, dims: number): Promise<IndexLabels> {
  const { count } = await checkIndexFile(path, dims);
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    const sizePerElement = Number(header.readBigUInt64LE(24));
    const labelOffset = Number(header.readBigUInt64LE(32));
    const perChunk = Math.max(1, Math.floor(SCAN_CHUNK_BYTES / sizePerElement));
    const buffer = Buffer.alloc(perChunk * sizePerElement);
    const labels: IndexLabels = { live: [], deleted: [] };
    for (let first = 0; first < count; first += perChunk) {
      const elements = Math.min(perChunk, count - first);
      await handle.read(buffer, 0, elements * sizePerElement, HEADER_BYTES + first * sizePerElement);
      for (let i = 0; i < elements; i++) {
        const record = i * sizePerElement;
        const label = Number(buffer.readBigUInt64LE(record + labelOffset));
        ((buffer[record + 2]! & DELETE_MARK) !== 0 ? labels.deleted : labels.live).push(label);
      }
    }
    return labels;
  } finally {
    await handle.close();
  }
}

/** Our index files in `dir` (any generation). */
export async function listIndexFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => OWN_FILE.test(name));
}

/** Removes our index files that the current database does not name: leftovers of a crash or a replaced database. */
export async function removeStrayIndexFiles(dir: string, keep: ReadonlySet<string>, logger: Logger): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!OWN_FILE.test(name) || keep.has(name)) continue;
    try {
      await unlink(join(dir, name));
      removed.push(name);
    } catch (error: unknown) {
      logger.warn('stray index file not removed', { file: name, error: errorMessage(error) });
    }
  }
  if (removed.length > 0) logger.info('stray index files removed', { files: removed });
  return removed;
}

export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes renames in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
