import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError } from '../../src/errors.js';
import { convertVoyagerToHnsw, loadConvertedIndex, readVoyagerFile, readVoyagerHeader } from '../../src/upstream/index.js';
import { buildVoyagerBytes, type WriterStorage } from './helpers/voyager-writer.js';

const fixtures = resolve(process.cwd(), '../shared/voyager-fixtures');
const storages: WriterStorage[] = ['float32', 'float8', 'e4m3'];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voy-convert-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("Voyager's own fixture files", () => {
  for (const dims of [4, 16, 128]) {
    for (const storage of storages) {
      it(`converts and loads cosine ${dims}-d ${storage} with items 1–4 at ones/sqrt(d)`, async () => {
        const source = join(fixtures, `cosine_${dims}dim_${storage}.hnsw`);
        const converted = await convertVoyagerToHnsw(source, join(dir, 'out.hnsw'));
        expect(converted).toMatchObject({ dims, space: 'cosine', sourceStorage: storage, count: 5, deletedCount: 0 });
        expect(Array.from(converted.labels)).toEqual([0, 1, 2, 3, 4]);

        const index = await loadConvertedIndex(converted.path, dims);
        const direct = await readVoyagerFile(source);
        expect(index.getCurrentCount()).toBe(5);
        const tolerance = storage === 'float32' ? 1e-6 : 0.2;
        const expected = 1 / Math.sqrt(dims);
        for (const label of [1, 2, 3, 4]) {
          const stored = index.getPoint(label);
          expect(stored).toHaveLength(dims);
          for (const value of stored) expect(Math.abs(value - expected)).toBeLessThanOrEqual(tolerance);
          // The widened file holds exactly what the .voy bytes decode to.
          expect(stored).toEqual(Array.from(direct.vectorOf(label)!));
        }
        // Item 0 was ones·0: Voyager cannot normalise a zero vector, so it stays all zeros.
        expect(index.getPoint(0)).toEqual(new Array(dims).fill(0));
        expect(Array.from(direct.vectorOf(0)!)).toEqual(new Array(dims).fill(0));

        index.setEf(10);
        const result = index.searchKnn(new Array(dims).fill(1), 5);
        expect(new Set(result.neighbors.slice(0, 4))).toEqual(new Set([1, 2, 3, 4]));
        expect(result.neighbors[4]).toBe(0);
        // 1 − cos: identical direction ≈ 0 (8-bit rounding shrinks the norm a little), zero vector = 1.
        for (const distance of result.distances.slice(0, 4)) expect(distance).toBeLessThan(storage === 'float32' ? 1e-6 : 0.05);
        expect(result.distances[4]).toBeCloseTo(1, 6);
      });
    }
  }
});

describe('files written by the test writer', () => {
  const dims = 32;
  const vectors = seededVectors(150, dims, 7);
  const items = vectors.map((vector, i) => ({ label: 1000 + i * 3, vector }));

  for (const storage of storages) {
    it(`round-trips ${storage}: every stored vector is found under its own label`, async () => {
      const source = join(dir, `${storage}.voy`);
      await writeFile(source, await buildVoyagerBytes({ dims, storage, items, deleted: [1003] }));
      const header = await readVoyagerHeader(source);
      expect(header).toMatchObject({ dims, storage, count: items.length, m: 12, maxM0: 24 });

      const converted = await convertVoyagerToHnsw(source, join(dir, 'out.hnsw'));
      expect(converted.deletedCount).toBe(1);
      expect(new Set(converted.labels)).toEqual(new Set(items.map((item) => item.label)));
      const index = await loadConvertedIndex(converted.path, dims);
      index.setEf(50);
      const tolerance = storage === 'float32' ? 1e-6 : storage === 'float8' ? 1 / 127 + 1e-6 : 0.04;
      const direct = await readVoyagerFile(source);
      for (const item of items) {
        const unit = normalise(item.vector);
        const fromVoy = direct.vectorOf(item.label)!;
        for (let d = 0; d < dims; d++) expect(Math.abs(fromVoy[d]! - unit[d]!)).toBeLessThanOrEqual(tolerance);
        expect(direct.isDeleted(item.label)).toBe(item.label === 1003);
        // hnswlib-node's getPoint refuses deleted labels ("Label not found").
        if (item.label === 1003) continue;
        expect(index.getPoint(item.label)).toEqual(Array.from(fromVoy));
        const result = index.searchKnn(Array.from(item.vector), 3);
        expect(result.neighbors[0]).toBe(item.label);
      }
      // The delete mark survives conversion: a search for the deleted vector never returns it.
      expect(index.searchKnn(Array.from(vectors[1]!), 10).neighbors).not.toContain(1003);
    });
  }

  it('reads InnerProduct indices without the transform as hnswlib space "ip"', async () => {
    const bytes = await buildVoyagerBytes({ dims, storage: 'float32', items: items.slice(0, 20) });
    bytes[12] = 1;
    const source = join(dir, 'ip.voy');
    await writeFile(source, bytes);
    const converted = await convertVoyagerToHnsw(source, join(dir, 'out.hnsw'));
    expect(converted.space).toBe('ip');
  });
});

describe('refusing files that are not usable Voyager indices', () => {
  const dims = 16;
  const items = seededVectors(40, dims, 3).map((vector, label) => ({ label, vector }));

  async function expectRefused(bytes: Uint8Array, message: RegExp): Promise<void> {
    const source = join(dir, 'bad.voy');
    await writeFile(source, bytes);
    const error = await convertVoyagerToHnsw(source, join(dir, 'out.hnsw')).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('BAD_INPUT');
    expect((error as Error).message).toMatch(/bad\.voy/);
    expect((error as Error).message).toMatch(message);
    expect(await readdir(dir)).toEqual(['bad.voy']); // no output, no temp file
    await expect(readVoyagerFile(source)).rejects.toThrow(message);
  }

  it('refuses a file cut short inside the level-0 records, the upper links or the header', async () => {
    const good = await buildVoyagerBytes({ dims, storage: 'e4m3', items });
    await expectRefused(good.subarray(0, 400), /truncated/);
    await expectRefused(good.subarray(0, good.length - 3), /truncated|corrupt/);
    await expectRefused(good.subarray(0, 60), /truncated/);
    await expectRefused(new Uint8Array(0), /empty|truncated/);
  });

  it('refuses trailing garbage after the last element', async () => {
    const good = await buildVoyagerBytes({ dims, storage: 'float32', items });
    await expectRefused(Buffer.concat([good, Buffer.alloc(7)]), /unexpected bytes|corrupt/);
  });

  it('refuses a bare hnswlib body (Voyager < 2.0 "V0") and unknown versions', async () => {
    const good = await buildVoyagerBytes({ dims, storage: 'float32', items });
    await expectRefused(good.subarray(19), /VOYA.*before 2\.0/);
    const v2 = Buffer.from(good);
    v2.writeInt32LE(2, 4);
    await expectRefused(v2, /version 2 is not supported/);
  });

  it('refuses Euclidean and InnerProduct-with-transform spaces', async () => {
    const good = await buildVoyagerBytes({ dims, storage: 'float32', items });
    const euclidean = Buffer.from(good);
    euclidean[12] = 0;
    await expectRefused(euclidean, /Euclidean space is not supported/);
    const transformed = Buffer.from(good);
    transformed[12] = 1;
    transformed[18] = 1;
    await expectRefused(transformed, /order-preserving transform/);
  });

  it('refuses a header whose storage type disagrees with the record size', async () => {
    const narrow = await buildVoyagerBytes({ dims, storage: 'e4m3', items });
    narrow[13] = 0x20; // claims float32 over 1-byte records
    await expectRefused(narrow, /size_data_per_element/);
    narrow[13] = 0x40;
    await expectRefused(narrow, /storage type 0x40 is unknown/);
  });

  it('refuses garbled links that would crash the native search', async () => {
    const good = await buildVoyagerBytes({ dims, storage: 'float32', items });
    const garbled = Buffer.from(good);
    garbled.writeUInt32LE(9999, 19 + 96 + 4); // first neighbour of element 0
    await expectRefused(garbled, /links to element 9999/);
  });
});

function seededVectors(count: number, dims: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, () => Float32Array.from({ length: dims }, next));
}

function normalise(vector: ArrayLike<number>): number[] {
  const values = Array.from(vector);
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return values.map((value) => value / norm);
}

