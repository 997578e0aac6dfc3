// The shipped embedded models fix their batch dimension at 1. This rewrites the ONNX bytes so the batch
// dimension is symbolic: graph inputs/outputs get `dim_param`, and a Reshape whose target shape starts with
// a literal 1 (MobileFaceNet's final `[1,-1]`) gets 0 instead, which ONNX reads as "copy the input's dim".
import {
  decodeString,
  encodeLengthDelimited,
  encodeString,
  encodeVarintField,
  readFields,
  readPackedVarints,
  encodePackedVarints,
  writeFields,
  type ProtoField,
} from './protobuf.js';

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OP_TYPE = 4;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const TENSOR_DATA_TYPE = 2;
const TENSOR_INT64_DATA = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const DATA_TYPE_INT64 = 7n;

export interface BatchPatchResult {
  model: Uint8Array;
  /** Names of the graph inputs and outputs whose dim 0 became symbolic. */
  patchedValues: string[];
  /** Names of the Reshape shape initializers whose leading 1 became 0. */
  patchedReshapes: string[];
}

export function makeBatchDimensionDynamic(model: Uint8Array, dimParam = 'batch'): BatchPatchResult {
  const modelFields = readFields(model);
  const graphField = modelFields.find((field) => field.number === MODEL_GRAPH);
  if (!graphField) throw new Error('ONNX model has no graph');
  const graphFields = readFields(graphField.payload);

  const initializerNames = new Set(graphFields.filter((f) => f.number === GRAPH_INITIALIZER).map(tensorName));
  const reshapeShapeNames = new Set<string>();
  for (const field of graphFields.filter((f) => f.number === GRAPH_NODE)) {
    const node = readFields(field.payload);
    const opType = node.find((f) => f.number === NODE_OP_TYPE);
    const inputs = node.filter((f) => f.number === NODE_INPUT).map((f) => decodeString(f.payload));
    if (opType && decodeString(opType.payload) === 'Reshape' && inputs[1] !== undefined) reshapeShapeNames.add(inputs[1]);
  }

  const patchedValues: string[] = [];
  const patchedReshapes: string[] = [];
  const graphParts = graphFields.map((field) => {
    if (field.number === GRAPH_INPUT || field.number === GRAPH_OUTPUT) {
      const name = valueInfoName(field);
      // Before IR 4, initializers were also listed as graph inputs; their shapes are real, not batch sizes.
      if (initializerNames.has(name)) return field.raw;
      const patched = patchValueInfoBatch(field.payload, dimParam);
      if (!patched) return field.raw;
      patchedValues.push(name);
      return encodeLengthDelimited(field.number, patched);
    }
    if (field.number === GRAPH_INITIALIZER && reshapeShapeNames.has(tensorName(field))) {
      const patched = patchLeadingOne(field.payload);
      if (!patched) return field.raw;
      patchedReshapes.push(tensorName(field));
      return encodeLengthDelimited(field.number, patched);
    }
    return field.raw;
  });

  const newGraph = writeFields(graphParts);
  const modelParts = modelFields.map((field) => (field === graphField ? encodeLengthDelimited(MODEL_GRAPH, newGraph) : field.raw));
  return { model: writeFields(modelParts), patchedValues, patchedReshapes };
}

function tensorName(field: ProtoField): string {
  const name = readFields(field.payload).find((f) => f.number === TENSOR_NAME);
  return name ? decodeString(name.payload) : '';
}

function valueInfoName(field: ProtoField): string {
  const name = readFields(field.payload).find((f) => f.number === VALUE_INFO_NAME);
  return name ? decodeString(name.payload) : '';
}

/** ValueInfoProto → the same with dim 0 as `dim_param`, or undefined when dim 0 is not the literal 1. */
function patchValueInfoBatch(valueInfo: Uint8Array, dimParam: string): Uint8Array | undefined {
  return patchNested(valueInfo, [VALUE_INFO_TYPE, TYPE_TENSOR, TENSOR_TYPE_SHAPE], (shape) => {
    const dims = readFields(shape);
    const firstIndex = dims.findIndex((f) => f.number === SHAPE_DIM);
    const first = dims[firstIndex];
    if (!first) return undefined;
    const value = readFields(first.payload).find((f) => f.number === DIM_VALUE);
    if (!value || value.varint !== 1n) return undefined;
    const symbolic = encodeLengthDelimited(SHAPE_DIM, encodeLengthDelimited(DIM_PARAM, encodeString(dimParam)));
    return writeFields(dims.map((f, i) => (i === firstIndex ? symbolic : f.raw)));
  });
}

/** Follows a path of single nested messages and rewrites the innermost one, re-encoding lengths on the way out. */
function patchNested(message: Uint8Array, path: readonly number[], patch: (inner: Uint8Array) => Uint8Array | undefined): Uint8Array | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return patch(message);
  const fields = readFields(message);
  const target = fields.find((f) => f.number === head && f.wireType === 2);
  if (!target) return undefined;
  const inner = patchNested(target.payload, rest, patch);
  if (!inner) return undefined;
  return writeFields(fields.map((f) => (f === target ? encodeLengthDelimited(head, inner) : f.raw)));
}

/** An int64 shape tensor `[1, ...]` → `[0, ...]`; undefined for anything else. */
function patchLeadingOne(tensor: Uint8Array): Uint8Array | undefined {
  const fields = readFields(tensor);
  const dataType = fields.find((f) => f.number === TENSOR_DATA_TYPE);
  if (dataType?.varint !== DATA_TYPE_INT64) return undefined;
  const raw = fields.find((f) => f.number === TENSOR_RAW_DATA);
  if (raw && raw.payload.length >= 8) {
    const values = new DataView(raw.payload.buffer, raw.payload.byteOffset, raw.payload.byteLength);
    if (values.getBigInt64(0, true) !== 1n) return undefined;
    const copy = new Uint8Array(raw.payload);
    new DataView(copy.buffer).setBigInt64(0, 0n, true);
    return writeFields(fields.map((f) => (f === raw ? encodeLengthDelimited(TENSOR_RAW_DATA, copy) : f.raw)));
  }
  const packed = fields.find((f) => f.number === TENSOR_INT64_DATA && f.wireType === 2);
  if (packed) {
    const values = readPackedVarints(packed.payload);
    if (values[0] !== 1n) return undefined;
    values[0] = 0n;
    return writeFields(fields.map((f) => (f === packed ? encodeLengthDelimited(TENSOR_INT64_DATA, encodePackedVarints(values)) : f.raw)));
  }
  const unpacked = fields.filter((f) => f.number === TENSOR_INT64_DATA && f.wireType === 0);
  if (unpacked[0]?.varint === 1n) {
    return writeFields(fields.map((f) => (f === unpacked[0] ? encodeVarintField(TENSOR_INT64_DATA, 0n) : f.raw)));
  }
  return undefined;
}
