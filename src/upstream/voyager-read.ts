// Reading a `.voy` file's stored vectors straight from its bytes, through the same checks the converter
// applies. Meant for checks and tests on small files: it holds the whole file in memory.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  checkLevel0Record,
  checkUpperLinks,
  decodeVector,
  isDeletedRecord,
  parseVoyagerHeader,
  type VoyagerHeader,
} from './voyager-format.js';

export interface VoyagerContents {
  header: VoyagerHeader;
  /** Labels (Voyager ids) in storage order. */
  labels: number[];
  /** The stored vector of `label` (already normalised for cosine, widened to float32), or undefined. */
  vectorOf(label: number): Float32Array | undefined;
  isDeleted(label: number): boolean | undefined;
}

export async function readVoyagerFile(path: string): Promise<VoyagerContents> {
  return decodeVoyager(await readFile(path), basename(path));
}

/** Parses and fully validates a whole `.voy` held in memory. */
export function decodeVoyager(bytes: Uint8Array, name: string): VoyagerContents {
  const header = parseVoyagerHeader(bytes, bytes.length, name);
  checkUpperLinks(bytes.subarray(header.upperLinksOffset), header, name);
  const positions = new Map<number, number>();
  const labels: number[] = [];
  for (let i = 0; i < header.count; i++) {
    const offset = header.level0Offset + i * header.sizeDataPerElement;
    const label = checkLevel0Record(bytes, offset, header, i, name);
    labels.push(label);
    positions.set(label, offset);
  }
  return {
    header,
    labels,
    vectorOf(label) {
      const offset = positions.get(label);
      if (offset === undefined) return undefined;
      const out = new Float32Array(header.dims);
      decodeVector(header, bytes, offset + header.offsetData, out);
      return out;
    },
    isDeleted(label) {
      const offset = positions.get(label);
      return offset === undefined ? undefined : isDeletedRecord(bytes, offset);
    },
  };
}
