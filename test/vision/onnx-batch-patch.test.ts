import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeBatchDimensionDynamic } from '../../src/vision/onnx-batch-patch.js';
import { decodeString, encodeLengthDelimited, encodeVarintField, readFields, writeFields } from '../../src/vision/protobuf.js';
import { repoRoot } from '../helpers/fixtures.js';

const featureModel = () => readFileSync(join(repoRoot, 'models', 'fr_feature.onnx'));

/** dims of a graph input (field 11) or output (field 12) by walking ValueInfo → Type → Tensor → Shape. */
function graphValueDims(model: Uint8Array, fieldNumber: number): (string | number)[] {
  const graph = readFields(readFields(model).find((f) => f.number === 7)!.payload);
  const valueInfo = readFields(graph.find((f) => f.number === fieldNumber)!.payload);
  const tensor = readFields(readFields(valueInfo.find((f) => f.number === 2)!.payload).find((f) => f.number === 1)!.payload);
  return readFields(tensor.find((f) => f.number === 2)!.payload).map((dim) => {
    const [field] = readFields(dim.payload);
    return field!.number === 1 ? Number(field!.varint) : decodeString(field!.payload);
  });
}

describe('protobuf', () => {
  it('reads back what it writes, and keeps unknown fields byte for byte', () => {
    const message = writeFields([encodeVarintField(1, 300n), encodeLengthDelimited(2, new TextEncoder().encode('héllo')), encodeVarintField(3, -1n)]);
    const fields = readFields(message);
    expect(fields.map((f) => f.number)).toEqual([1, 2, 3]);
    expect(fields[0]!.varint).toBe(300n);
    expect(decodeString(fields[1]!.payload)).toBe('héllo');
    expect(BigInt.asIntN(64, fields[2]!.varint)).toBe(-1n);
    expect(writeFields(fields.map((f) => f.raw))).toEqual(message);
  });

  it('rejects a length that runs past the end', () => {
    expect(() => readFields(Uint8Array.from([0x12, 0x05, 0x61]))).toThrow(/past the end/);
  });
});

describe('makeBatchDimensionDynamic', () => {
  it('makes the embedder’s input and output batch symbolic and its final Reshape copy the batch', () => {
    const original = featureModel();
    expect(graphValueDims(original, 11)).toEqual([1, 3, 112, 112]);
    const patched = makeBatchDimensionDynamic(original);
    expect(patched.patchedValues).toEqual(['input', 'output']);
    expect(patched.patchedReshapes).toHaveLength(1);
    expect(graphValueDims(patched.model, 11)).toEqual(['batch', 3, 112, 112]);
    expect(graphValueDims(patched.model, 12)).toEqual(['batch', 512]);
  });

  it('gives, for a batch of 3, the same rows as three batch-1 runs of the original model', async () => {
    const original = featureModel();
    const single = await ort.InferenceSession.create(original);
    const batched = await ort.InferenceSession.create(makeBatchDimensionDynamic(original).model);
    try {
      const size = 3 * 112 * 112;
      const data = Float32Array.from({ length: 3 * size }, (_, i) => Math.sin(i * 0.37));
      const out = await batched.run({ input: new ort.Tensor('float32', data, [3, 3, 112, 112]) });
      expect(out.output!.dims).toEqual([3, 512]);
      const rows = out.output!.data as Float32Array;
      for (let b = 0; b < 3; b++) {
        const one = await single.run({ input: new ort.Tensor('float32', data.slice(b * size, (b + 1) * size), [1, 3, 112, 112]) });
        const expected = one.output!.data as Float32Array;
        let maxDiff = 0;
        for (let i = 0; i < 512; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - rows[b * 512 + i]!));
        expect(maxDiff).toBeLessThan(1e-4);
      }
      await expect(single.run({ input: new ort.Tensor('float32', data, [3, 3, 112, 112]) })).rejects.toThrow();
    } finally {
      await single.release();
      await batched.release();
    }
  });
});
