// `.voy` → a file hnswlib-node's `readIndex` loads. Float32 bodies are copied as they are; Float8/E4M3
// level-0 records are widened to float32 (hnswlib-node only has float spaces), links copied unchanged.
// It streams in chunks, so a 600 MB index never sits in memory twice, and checks every record on the way.
import { randomUUID } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SenseError } from '../errors.js';
import {
  HNSW_HEADER_BYTES,
  VOYAGER_HEADER_BYTES,
  VOYAGER_PREAMBLE_BYTES,
  checkLevel0Record,
  checkUpperLinks,
  decodeVector,
  isDeletedRecord,
  maxUpperLinksBytes,
  parseVoyagerHeader,
  type VoyagerHeader,
  type VoyagerSpace,
  type VoyagerStorage,
} from './voyager-format.js';

export interface ConvertProgress {
  done: number;
  total: number;
}

export interface ConvertOptions {
  signal?: AbortSignal;
  /** Labels to mark deleted in the output (hnswlib's delete mark): they keep routing searches but are never returned. */
  deleteLabels?: ReadonlySet<number>;
  onProgress?: (progress: ConvertProgress) => void;
}

export interface ConvertedIndex {
  path: string;
  dims: number;
  /** The hnswlib-node space to load it with. */
  space: VoyagerSpace;
  /** Storage of the source file; the converted file is always float32. */
  sourceStorage: VoyagerStorage;
  count: number;
  /** Labels (Voyager ids) in storage order. */
  labels: Uint32Array;
  deletedCount: number;
  bytes: number;
}

// Large enough that syscalls don't dominate, small enough to stay a rounding error next to the index itself.
const CHUNK_BYTES = 8 * 1024 * 1024;

/** Reads both headers of a `.voy` file without reading the rest (cheap: for checking counts up front). */
export async function readVoyagerHeader(path: string): Promise<VoyagerHeader> {
  const file = await openForReading(path);
  try {
    const size = (await file.stat()).size;
    const preamble = await readAt(file, 0, Math.min(size, VOYAGER_PREAMBLE_BYTES));
    return parseVoyagerHeader(preamble, size, basename(path));
  } finally {
    await file.close();
  }
}

/** Converts `source` into `dest` (written to a temp file beside it, then renamed into place). */
export async function convertVoyagerToHnsw(source: string, dest: string, options: ConvertOptions = {}): Promise<ConvertedIndex> {
  const name = basename(source);
  const input = await openForReading(source);
  const temp = join(dirname(dest), `.${basename(dest)}.${randomUUID().slice(0, 8)}.tmp`);
  let output: FileHandle | undefined;
  try {
    const size = (await input.stat()).size;
    const header = parseVoyagerHeader(await readAt(input, 0, Math.min(size, VOYAGER_PREAMBLE_BYTES)), size, name);
    const tailBytes = size - header.upperLinksOffset;
    if (tailBytes > maxUpperLinksBytes(header)) {
      throw new SenseError('BAD_INPUT', `${name} is corrupt: ${tailBytes} bytes follow its vectors, more than its graph can hold`);
    }
    // The upper layers are a few bytes per element: check them before writing anything.
    const tail = await readAt(input, header.upperLinksOffset, tailBytes);
    checkUpperLinks(tail, header, name);

    output = await open(temp, 'wx');
    const widen = header.storage !== 'float32';
    const outRecordBytes = header.offsetData + header.dims * 4 + 8;
    const bodyHeader = await readAt(input, VOYAGER_HEADER_BYTES, HNSW_HEADER_BYTES);
    if (widen) {
      const view = new DataView(bodyHeader.buffer, bodyHeader.byteOffset, bodyHeader.byteLength);
      view.setBigUint64(24, BigInt(outRecordBytes), true); // size_data_per_element
      view.setBigUint64(32, BigInt(header.offsetData + header.dims * 4), true); // label_offset
    }
    let position = await writeAll(output, bodyHeader, 0);

    const labels = new Uint32Array(header.count);
    let deletedCount = 0;
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / header.sizeDataPerElement));
    // An ArrayBuffer-backed output keeps the float32 view 4-byte aligned (record sizes are multiples of 4).
    const outChunk = widen ? new Uint8Array(new ArrayBuffer(perChunk * outRecordBytes)) : undefined;
    const outFloats = outChunk ? new Float32Array(outChunk.buffer) : undefined;
    for (let first = 0; first < header.count; first += perChunk) {
      if (options.signal?.aborted) throw new SenseError('CANCELLED', `conversion of ${name} was cancelled`);
      const records = Math.min(perChunk, header.count - first);
      const chunk = await readAt(input, header.level0Offset + first * header.sizeDataPerElement, records * header.sizeDataPerElement);
      for (let r = 0; r < records; r++) {
        const inOffset = r * header.sizeDataPerElement;
        const label = checkLevel0Record(chunk, inOffset, header, first + r, name);
        labels[first + r] = label;
        if (options.deleteLabels?.has(label)) chunk[inOffset + 2] = chunk[inOffset + 2]! | 1;
        if (isDeletedRecord(chunk, inOffset)) deletedCount++;
        if (outChunk && outFloats) {
          const outOffset = r * outRecordBytes;
          outChunk.set(chunk.subarray(inOffset, inOffset + header.offsetData), outOffset);
          decodeVector(header, chunk, inOffset + header.offsetData, outFloats, (outOffset + header.offsetData) / 4);
          const labelAt = inOffset + header.labelOffset;
          outChunk.set(chunk.subarray(labelAt, labelAt + 8), outOffset + header.offsetData + header.dims * 4);
        }
      }
      position += await writeAll(output, outChunk ? outChunk.subarray(0, records * outRecordBytes) : chunk, position);
      options.onProgress?.({ done: first + records, total: header.count });
    }
    position += await writeAll(output, tail, position);
    await output.sync();
    await output.close();
    output = undefined;
    await rename(temp, dest);
    return {
      path: dest,
      dims: header.dims,
      space: header.space,
      sourceStorage: header.storage,
      count: header.count,
      labels,
      deletedCount,
      bytes: position,
    };
  } catch (error: unknown) {
    await output?.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  } finally {
    await input.close();
  }
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SenseError('NOT_FOUND', `${basename(path)} does not exist`);
    throw error;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new SenseError('BAD_INPUT', 'a Voyager index ended before its header said it would (truncated file)');
    filled += bytesRead;
  }
  return buffer;
}

async function writeAll(file: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  let written = 0;
  while (written < bytes.length) {
    const result = await file.write(bytes, written, bytes.length - written, position + written);
    written += result.bytesWritten;
  }
  return written;
}
