// Writes tiny ONNX models for tests with the project's protobuf writer: enough of onnx.proto3 for constant
// outputs and a few shape ops, so a test can see exactly what a model was fed or make it say what it wants.
import {
  encodeLengthDelimited,
  encodePackedVarints,
  encodeString,
  encodeVarintField,
  writeFields,
} from '../../../src/vision/protobuf.js';

export type Dim = number | string;

export interface TensorValue {
  name: string;
  dims: number[];
  /** float32 or int64 values. */
  values: Float32Array | BigInt64Array;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer and integer-list attributes. */
  attributes?: Record<string, number | number[]>;
}

export interface GraphSpec {
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  initializers?: TensorValue[];
  nodes: NodeSpec[];
  opset?: number;
}

const FLOAT = 1;
const INT64 = 7;

export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const graph = writeFields([
    ...spec.nodes.map((node, i) => encodeLengthDelimited(1, encodeNode(node, `node${i}`))),
    encodeLengthDelimited(2, encodeString('test-graph')),
    ...(spec.initializers ?? []).map((tensor) => encodeLengthDelimited(5, encodeTensor(tensor))),
    ...spec.inputs.map((value) => encodeLengthDelimited(11, encodeValueInfo(value.name, value.dims))),
    ...spec.outputs.map((value) => encodeLengthDelimited(12, encodeValueInfo(value.name, value.dims))),
  ]);
  const opset = writeFields([encodeLengthDelimited(1, encodeString('')), encodeVarintField(2, BigInt(spec.opset ?? 13))]);
  return writeFields([
    encodeVarintField(1, 7n),
    encodeLengthDelimited(2, encodeString('stash-sense-tests')),
    encodeLengthDelimited(7, graph),
    encodeLengthDelimited(8, opset),
  ]);
}

export function int64s(name: string, values: number[]): TensorValue {
  return { name, dims: [values.length], values: BigInt64Array.from(values.map(BigInt)) };
}

export function floats(name: string, dims: number[], values: ArrayLike<number>): TensorValue {
  return { name, dims, values: Float32Array.from(values) };
}

function encodeNode(node: NodeSpec, name: string): Uint8Array {
  return writeFields([
    ...node.inputs.map((input) => encodeLengthDelimited(1, encodeString(input))),
    ...node.outputs.map((output) => encodeLengthDelimited(2, encodeString(output))),
    encodeLengthDelimited(3, encodeString(name)),
    encodeLengthDelimited(4, encodeString(node.op)),
    ...Object.entries(node.attributes ?? {}).map(([key, value]) =>
      encodeLengthDelimited(
        5,
        Array.isArray(value)
          ? writeFields([encodeLengthDelimited(1, encodeString(key)), encodeLengthDelimited(8, encodePackedVarints(value.map(BigInt))), encodeVarintField(20, 7n)])
          : writeFields([encodeLengthDelimited(1, encodeString(key)), encodeVarintField(3, BigInt(value)), encodeVarintField(20, 2n)]),
      ),
    ),
  ]);
}

function encodeTensor(tensor: TensorValue): Uint8Array {
  const raw = new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength);
  return writeFields([
    encodeLengthDelimited(1, encodePackedVarints(tensor.dims.map(BigInt))),
    encodeVarintField(2, BigInt(tensor.values instanceof Float32Array ? FLOAT : INT64)),
    encodeLengthDelimited(8, encodeString(tensor.name)),
    encodeLengthDelimited(9, raw),
  ]);
}

function encodeValueInfo(name: string, dims: Dim[]): Uint8Array {
  const shape = writeFields(
    dims.map((dim) =>
      encodeLengthDelimited(1, typeof dim === 'number' ? encodeVarintField(1, BigInt(dim)) : encodeLengthDelimited(2, encodeString(dim))),
    ),
  );
  const tensorType = writeFields([encodeVarintField(1, BigInt(FLOAT)), encodeLengthDelimited(2, shape)]);
  return writeFields([encodeLengthDelimited(1, encodeString(name)), encodeLengthDelimited(2, encodeLengthDelimited(1, tensorType))]);
}
