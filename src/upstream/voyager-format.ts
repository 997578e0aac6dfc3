// The Voyager `.voy` V1 layout (facts: ../shared/reference/index-formats.md §1): a 19-byte header, then
// an nmslib/hnswlib `saveIndex` stream whose vectors may be 1-byte scalars. Everything here is pure:
// it reads bytes already in memory and either returns what they say or throws BAD_INPUT.
import { SenseError } from '../errors.js';

export type VoyagerStorage = 'float32' | 'float8' | 'e4m3';
/** `ip` is Voyager's InnerProduct without the order-preserving transform; it loads as hnswlib space 'ip'. */
export type VoyagerSpace = 'cosine' | 'ip';

export const VOYAGER_HEADER_BYTES = 19;
export const HNSW_HEADER_BYTES = 96;
/** Both headers: what a reader needs before it can plan the rest of the file. */
export const VOYAGER_PREAMBLE_BYTES = VOYAGER_HEADER_BYTES + HNSW_HEADER_BYTES;

export interface VoyagerHeader {
  dims: number;
  space: VoyagerSpace;
  storage: VoyagerStorage;
  /** Bytes per vector component in the .voy file (4 or 1). */
  scalarBytes: number;
  maxElements: number;
  count: number;
  sizeDataPerElement: number;
  labelOffset: number;
  /** Size of a level-0 link block (count word + maxM0 ids): where the vector starts in a record. */
  offsetData: number;
  maxLevel: number;
  entryPoint: number;
  maxM: number;
  maxM0: number;
  m: number;
  mult: number;
  efConstruction: number;
  /** Size of one upper-layer link block (count word + maxM ids). */
  sizeLinksPerLevel: number;
  /** File offset where the level-0 records begin. */
  level0Offset: number;
  /** File offset where the per-element upper-layer link lists begin. */
  upperLinksOffset: number;
}

const MAGIC = 'VOYA';
const SPACE_NAMES: Record<number, string> = { 0: 'Euclidean', 1: 'InnerProduct', 2: 'Cosine' };
const STORAGE_BY_CODE: Record<number, VoyagerStorage> = { 0x10: 'float8', 0x20: 'float32', 0x30: 'e4m3' };
export const STORAGE_CODES: Record<VoyagerStorage, number> = { float8: 0x10, float32: 0x20, e4m3: 0x30 };
// Far above any face model (512) yet small enough that a garbled value cannot make us allocate gigabytes per record.
const MAX_DIMS = 65_536;
const MAX_M = 4_096;

/**
 * Reads and checks both headers from the first {@link VOYAGER_PREAMBLE_BYTES} bytes of a file of `fileSize` bytes.
 * `name` is what error messages call the file.
 */
export function parseVoyagerHeader(preamble: Uint8Array, fileSize: number, name: string): VoyagerHeader {
  function fail(why: string): never {
    throw new SenseError('BAD_INPUT', `${name} is not a usable Voyager index: ${why}`);
  }
  if (preamble.length < 4 || fileSize < 4) fail('the file is empty or truncated');
  const view = new DataView(preamble.buffer, preamble.byteOffset, preamble.byteLength);
  const magic = String.fromCharCode(preamble[0]!, preamble[1]!, preamble[2]!, preamble[3]!);
  if (magic !== MAGIC) {
    fail('it does not start with "VOYA" (files written by Voyager before 2.0 have no header and are not supported)');
  }
  if (preamble.length < VOYAGER_PREAMBLE_BYTES || fileSize < VOYAGER_PREAMBLE_BYTES) fail('the file is truncated inside its header');

  const version = view.getInt32(4, true);
  if (version !== 1) fail(`header version ${version} is not supported (only version 1 exists)`);
  const dims = view.getInt32(8, true);
  if (dims < 1 || dims > MAX_DIMS) fail(`${dims} dimensions is out of range`);
  const spaceCode = preamble[12]!;
  const storageCode = preamble[13]!;
  const useOrderPreservingTransform = preamble[18]!;
  const storage = STORAGE_BY_CODE[storageCode];
  if (!storage) fail(`storage type 0x${storageCode.toString(16)} is unknown (expected Float8 0x10, Float32 0x20 or E4M3 0x30)`);
  let space: VoyagerSpace;
  if (spaceCode === 2) space = 'cosine';
  else if (spaceCode === 1) space = 'ip';
  else fail(`the ${SPACE_NAMES[spaceCode] ?? `unknown (${spaceCode})`} space is not supported (only Cosine and InnerProduct are)`);
  if (useOrderPreservingTransform > 1) fail(`order-preserving-transform flag ${useOrderPreservingTransform} is not a boolean`);
  if (useOrderPreservingTransform === 1) {
    // Voyager then stores D+1 components with a synthetic last one; queries would need it appended too.
    fail('it uses the order-preserving transform (InnerProduct with an extra dimension), which is not supported');
  }

  const body = VOYAGER_HEADER_BYTES;
  const u64 = (offset: number, field: string): number => {
    const value = view.getBigUint64(body + offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${field} (${value}) is out of range`);
    return Number(value);
  };
  const scalarBytes = storage === 'float32' ? 4 : 1;
  const offsetLevel0 = u64(0, 'offsetLevel0');
  const maxElements = u64(8, 'max_elements');
  const count = u64(16, 'cur_element_count');
  const sizeDataPerElement = u64(24, 'size_data_per_element');
  const labelOffset = u64(32, 'label_offset');
  const offsetData = u64(40, 'offsetData');
  const maxLevel = view.getInt32(body + 48, true);
  const entryPoint = view.getUint32(body + 52, true);
  const maxM = u64(56, 'maxM');
  const maxM0 = u64(64, 'maxM0');
  const m = u64(72, 'M');
  const mult = view.getFloat64(body + 80, true);
  const efConstruction = u64(88, 'ef_construction');

  if (offsetLevel0 !== 0) fail(`offsetLevel0 is ${offsetLevel0}, expected 0`);
  if (count > maxElements) fail(`it holds ${count} elements but its capacity is ${maxElements}`);
  if (maxM < 1 || maxM > MAX_M || maxM0 < 1 || maxM0 > 2 * MAX_M || m < 1) fail(`graph degrees M=${m} maxM=${maxM} maxM0=${maxM0} are out of range`);
  const expectedOffsetData = maxM0 * 4 + 4;
  if (offsetData !== expectedOffsetData) fail(`offsetData is ${offsetData}, expected ${expectedOffsetData} for maxM0=${maxM0}`);
  const expectedSize = offsetData + dims * scalarBytes + 8;
  if (sizeDataPerElement !== expectedSize) {
    fail(`size_data_per_element is ${sizeDataPerElement}, expected ${expectedSize} for ${dims} ${storage} dimensions (header and body disagree)`);
  }
  if (labelOffset !== offsetData + dims * scalarBytes) fail(`label_offset is ${labelOffset}, expected ${offsetData + dims * scalarBytes}`);
  if (count === 0 ? maxLevel > 0 : maxLevel < 0 || maxLevel > 255) fail(`maxlevel ${maxLevel} is out of range`);
  if (count > 0 && entryPoint >= count) fail(`entry point ${entryPoint} is not one of its ${count} elements`);

  const level0Offset = VOYAGER_PREAMBLE_BYTES;
  const upperLinksOffset = level0Offset + count * sizeDataPerElement;
  // Every element has at least its 4-byte upper-layer list size after level 0.
  if (fileSize < upperLinksOffset + count * 4) {
    fail(`the file is truncated: ${fileSize} bytes cannot hold ${count} elements of ${sizeDataPerElement} bytes`);
  }
  return {
    dims,
    space,
    storage,
    scalarBytes,
    maxElements,
    count,
    sizeDataPerElement,
    labelOffset,
    offsetData,
    maxLevel,
    entryPoint,
    maxM,
    maxM0,
    m,
    mult,
    efConstruction,
    sizeLinksPerLevel: maxM * 4 + 4,
    level0Offset,
    upperLinksOffset,
  };
}

/** The most bytes the upper-layer section can legitimately take: every element at the top level. */
export function maxUpperLinksBytes(header: VoyagerHeader): number {
  return header.count * (4 + Math.max(header.maxLevel, 0) * header.sizeLinksPerLevel);
}

/**
 * Checks one level-0 record (links in range, label fits hnswlib-node's uint32 labels) and returns its label.
 * hnswlib trusts these ids blindly, so a garbled one would crash the native search instead of failing here.
 */
export function checkLevel0Record(record: Uint8Array, offset: number, header: VoyagerHeader, index: number, name: string): number {
  const view = new DataView(record.buffer, record.byteOffset + offset, header.sizeDataPerElement);
  const links = view.getUint16(0, true);
  if (links > header.maxM0) {
    throw new SenseError('BAD_INPUT', `${name} is corrupt: element ${index} claims ${links} level-0 links (at most ${header.maxM0})`);
  }
  for (let i = 0; i < links; i++) {
    const target = view.getUint32(4 + i * 4, true);
    if (target >= header.count) {
      throw new SenseError('BAD_INPUT', `${name} is corrupt: element ${index} links to element ${target} of ${header.count}`);
    }
  }
  const label = view.getBigUint64(header.labelOffset, true);
  if (label > 0xffff_ffffn) {
    throw new SenseError('BAD_INPUT', `${name}: element ${index} has id ${label}, above the 32-bit ids hnswlib-node supports`);
  }
  return Number(label);
}

/** Whether hnswlib's delete mark (bit 0 of byte 2 of the record) is set. */
export function isDeletedRecord(record: Uint8Array, offset: number): boolean {
  return (record[offset + 2]! & 1) === 1;
}

/**
 * Walks the upper-layer link lists (`u32 size` then `size` bytes per element), checking each against the
 * graph's shape, and requires them to end exactly at the end of the file, as hnswlib's loader does.
 */
export function checkUpperLinks(bytes: Uint8Array, header: VoyagerHeader, name: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  function corrupt(why: string): never {
    throw new SenseError('BAD_INPUT', `${name} is corrupt or truncated: ${why}`);
  }
  let offset = 0;
  for (let element = 0; element < header.count; element++) {
    if (offset + 4 > bytes.length) corrupt(`the upper-layer links stop at element ${element} of ${header.count}`);
    const size = view.getUint32(offset, true);
    offset += 4;
    if (size === 0) continue;
    const levels = size / header.sizeLinksPerLevel;
    if (!Number.isInteger(levels) || levels > header.maxLevel) corrupt(`element ${element} has an upper-layer list of ${size} bytes`);
    if (offset + size > bytes.length) corrupt(`the upper-layer links of element ${element} run past the end of the file`);
    for (let level = 0; level < levels; level++) {
      const block = offset + level * header.sizeLinksPerLevel;
      const links = view.getUint16(block, true);
      if (links > header.maxM) corrupt(`element ${element} claims ${links} links at level ${level + 1}`);
      for (let i = 0; i < links; i++) {
        if (view.getUint32(block + 4 + i * 4, true) >= header.count) corrupt(`element ${element} links outside the index at level ${level + 1}`);
      }
    }
    offset += size;
  }
  if (offset !== bytes.length) corrupt(`${bytes.length - offset} unexpected bytes after the last element`);
}

/** Voyager's E4M3 byte → value table. Its bitfields put the sign in bit 0, exponent in bits 1–4, mantissa in 5–7. */
export const E4M3_VALUES: Float32Array = (() => {
  const table = new Float32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const sign = byte & 1 ? -1 : 1;
    const exponent = (byte >> 1) & 0b1111;
    const mantissa = byte >> 5;
    if (exponent === 15 && mantissa === 7) table[byte] = Number.NaN;
    else if (exponent === 0) table[byte] = sign * (mantissa / 8) * 2 ** -7;
    else table[byte] = sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
  }
  return table;
})();

/** Float8 is int8 holding trunc(x·127). */
export const FLOAT8_VALUES: Float32Array = (() => {
  const table = new Float32Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = (byte < 128 ? byte : byte - 256) / 127;
  return table;
})();

/** Decodes `header.dims` stored components starting at `bytes[offset]` into `out[outOffset…]`. */
export function decodeVector(header: VoyagerHeader, bytes: Uint8Array, offset: number, out: Float32Array, outOffset = 0): void {
  if (header.storage === 'float32') {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, header.dims * 4);
    for (let i = 0; i < header.dims; i++) out[outOffset + i] = view.getFloat32(i * 4, true);
    return;
  }
  const table = header.storage === 'e4m3' ? E4M3_VALUES : FLOAT8_VALUES;
  for (let i = 0; i < header.dims; i++) out[outOffset + i] = table[bytes[offset + i]!]!;
}
