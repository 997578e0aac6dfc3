// Writers for the few ONNX messages we add to a graph (nodes, constant tensors, typed inputs), on the
// project's protobuf writer; field numbers are onnx.proto3's.
import { encodeLengthDelimited, encodePackedVarints, encodeString, encodeVarintField, writeFields } from './protobuf.js';

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

/** TensorProto.DataType values. */
export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT64 = 7;

export function encodeNode(node: NodeSpec, name: string): Uint8Array {
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

export function encodeTensor(tensor: TensorValue): Uint8Array {
  const raw = new Uint8Array(tensor.values.buffer, tensor.values.byteOffset, tensor.values.byteLength);
  return writeFields([
    encodeLengthDelimited(1, encodePackedVarints(tensor.dims.map(BigInt))),
    encodeVarintField(2, BigInt(tensor.values instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64)),
    encodeLengthDelimited(8, encodeString(tensor.name)),
    encodeLengthDelimited(9, raw),
  ]);
}

export function encodeValueInfo(name: string, dims: readonly Dim[], elementType = ONNX_FLOAT): Uint8Array {
  const shape = writeFields(
    dims.map((dim) =>
      encodeLengthDelimited(1, typeof dim === 'number' ? encodeVarintField(1, BigInt(dim)) : encodeLengthDelimited(2, encodeString(dim))),
    ),
  );
  const tensorType = writeFields([encodeVarintField(1, BigInt(elementType)), encodeLengthDelimited(2, shape)]);
  return writeFields([encodeLengthDelimited(1, encodeString(name)), encodeLengthDelimited(2, encodeLengthDelimited(1, tensorType))]);
}
