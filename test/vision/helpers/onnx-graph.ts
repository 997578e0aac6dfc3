// Writes tiny ONNX models for tests with the project's protobuf writer: enough of onnx.proto3 for constant
// outputs and a few shape ops, so a test can see exactly what a model was fed or make it say what it wants.
import { encodeLengthDelimited, encodeString, encodeVarintField, writeFields } from '../../../src/vision/protobuf.js';
import { encodeNode, encodeTensor, encodeValueInfo, type Dim, type NodeSpec, type TensorValue } from '../../../src/vision/onnx-encode.js';

export type { Dim, NodeSpec, TensorValue };

export interface GraphSpec {
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  initializers?: TensorValue[];
  nodes: NodeSpec[];
  opset?: number;
}

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
