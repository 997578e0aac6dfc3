// Writes small Voyager V1 `.voy` files for tests: hnswlib-node builds the graph (its saveIndex stream is
// what Voyager writes after its header), then the 19-byte header goes in front and, for Float8/E4M3,
// each record's float32 vector is narrowed the way Voyager stores it. Deliberately independent of
// src/upstream's parsing, so a shared mistake cannot hide.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';

export type WriterStorage = 'float32' | 'float8' | 'e4m3';

export interface VoyagerItem {
  label: number;
  vector: ArrayLike<number>;
}

export interface VoyagerWriteOptions {
  dims: number;
  storage: WriterStorage;
  items: VoyagerItem[];
  /** Voyager's default graph degree. */
  m?: number;
  efConstruction?: number;
  /** Labels to mark deleted before writing. */
  deleted?: number[];
}

const STORAGE_CODE: Record<WriterStorage, number> = { float8: 0x10, float32: 0x20, e4m3: 0x30 };

export async function writeVoyagerFile(path: string, options: VoyagerWriteOptions): Promise<void> {
  await writeFile(path, await buildVoyagerBytes(options));
}

export async function buildVoyagerBytes(options: VoyagerWriteOptions): Promise<Buffer> {
  const { dims, storage, items } = options;
  const index = new hnswlib.HierarchicalNSW('cosine', dims);
  index.initIndex(Math.max(items.length, 1), options.m ?? 12, options.efConstruction ?? 200, 1);
  for (const item of items) index.addPoint(Array.from(item.vector), item.label);
  for (const label of options.deleted ?? []) index.markDelete(label);
  const dir = await mkdtemp(join(tmpdir(), 'voy-writer-'));
  let body: Buffer;
  try {
    await index.writeIndex(join(dir, 'body.hnsw'));
    body = await readFile(join(dir, 'body.hnsw'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const header = Buffer.alloc(19);
  header.write('VOYA', 0, 'latin1');
  header.writeInt32LE(1, 4);
  header.writeInt32LE(dims, 8);
  header[12] = 2; // Cosine
  header[13] = STORAGE_CODE[storage];
  header.writeFloatLE(0, 14);
  header[18] = 0;
  if (storage === 'float32') return Buffer.concat([header, body]);
  return Buffer.concat([header, narrowBody(body, dims, storage)]);
}

function narrowBody(body: Buffer, dims: number, storage: 'float8' | 'e4m3'): Buffer {
  const count = Number(body.readBigUInt64LE(16));
  const wideRecord = Number(body.readBigUInt64LE(24));
  const linksBytes = Number(body.readBigUInt64LE(40));
  const narrowRecord = linksBytes + dims + 8;
  const head = Buffer.from(body.subarray(0, 96));
  head.writeBigUInt64LE(BigInt(narrowRecord), 24);
  head.writeBigUInt64LE(BigInt(linksBytes + dims), 32);
  const level0 = Buffer.alloc(count * narrowRecord);
  for (let i = 0; i < count; i++) {
    const from = 96 + i * wideRecord;
    const to = i * narrowRecord;
    body.copy(level0, to, from, from + linksBytes);
    for (let d = 0; d < dims; d++) {
      const value = body.readFloatLE(from + linksBytes + d * 4);
      level0[to + linksBytes + d] = storage === 'float8' ? encodeFloat8(value) : encodeE4M3(value);
    }
    body.copy(level0, to + linksBytes + dims, from + linksBytes + dims * 4, from + wideRecord);
  }
  return Buffer.concat([head, level0, body.subarray(96 + count * wideRecord)]);
}

/** Voyager's Float8: int8 = trunc(x·127). */
export function encodeFloat8(value: number): number {
  const scaled = Math.max(-127, Math.min(127, Math.trunc(value * 127)));
  return scaled & 0xff;
}

const e4m3Values: number[] = [];
for (let byte = 0; byte < 256; byte++) {
  const sign = byte & 1 ? -1 : 1;
  const exponent = (byte >> 1) & 15;
  const mantissa = byte >> 5;
  e4m3Values.push(
    exponent === 15 && mantissa === 7
      ? Number.NaN
      : sign * (exponent === 0 ? mantissa / 8 / 128 : (1 + mantissa / 8) * 2 ** (exponent - 7)),
  );
}

/** The nearest Voyager E4M3 byte (sign in bit 0, exponent in bits 1–4, mantissa in bits 5–7). */
export function encodeE4M3(value: number): number {
  let best = 0;
  for (let byte = 0; byte < 256; byte++) {
    const candidate = e4m3Values[byte]!;
    if (Math.abs(candidate - value) < Math.abs(e4m3Values[best]! - value)) best = byte;
  }
  return best;
}
