// Folds a model's pixel preprocessing into its graph: the model then takes the bytes sharp produces (uint8,
// N×H×W×3, RGB) and converts, reorders and normalises them itself, in ORT's vectorised kernels (or on the GPU)
// instead of a JavaScript loop per pixel, and a quarter of the bytes cross into ORT.
import { decodeString, encodeLengthDelimited, readFields, writeFields, type ProtoField } from './protobuf.js';
import { ONNX_UINT8, encodeNode, encodeTensor, encodeValueInfo, type Dim, type NodeSpec, type TensorValue } from './onnx-encode.js';

/** What the model's own NCHW float input holds, computed from the bytes. */
export type PixelPreprocessing =
  /** `(v − mean) / std` per RGB channel. */
  | { kind: 'rgb'; mean: number; std: number }
  /** One grey channel, `Σ weight[c] · v[c]` (the weights include any scaling). */
  | { kind: 'grey'; weights: readonly [number, number, number] };

/** The new graph input's name. */
export const PIXEL_INPUT = 'pixels';

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const TENSOR_NAME = 8;

/**
 * Replaces the model's first graph input (float NCHW, C = 3 or 1) with `pixels` (uint8 N×H×W×3) and prepends
 * Cast → Transpose → normalisation nodes that produce the old input under its old name, so nothing else in
 * the graph changes. The batch dimension stays as the model (or the batch patch) declared it.
 */
export function foldPixelPreprocessing(model: Uint8Array, preprocessing: PixelPreprocessing): Uint8Array {
  const modelFields = readFields(model);
  const graphField = modelFields.find((field) => field.number === MODEL_GRAPH);
  if (!graphField) throw new Error('ONNX model has no graph');
  const graphFields = readFields(graphField.payload);
  const initializers = new Set(graphFields.filter((f) => f.number === GRAPH_INITIALIZER).map((f) => stringField(f, TENSOR_NAME)));
  const input = graphFields.find((f) => f.number === GRAPH_INPUT && !initializers.has(stringField(f, VALUE_INFO_NAME)));
  if (!input) throw new Error('ONNX model has no input');
  const name = stringField(input, VALUE_INFO_NAME);
  const dims = tensorDims(input.payload);
  const channels = preprocessing.kind === 'rgb' ? 3 : 1;
  if (dims.length !== 4 || dims[1] !== channels || typeof dims[2] !== 'number' || typeof dims[3] !== 'number') {
    throw new Error(`input "${name}" is [${dims.join(', ')}], not N×${channels}×H×W with a fixed H and W`);
  }

  const prefix = `${PIXEL_INPUT}_`;
  const { nodes, constants } = preprocessingNodes(preprocessing, prefix, name);
  const newInput = encodeLengthDelimited(GRAPH_INPUT, encodeValueInfo(PIXEL_INPUT, [dims[0]!, dims[2], dims[3], 3], ONNX_UINT8));
  const firstNode = graphFields.findIndex((f) => f.number === GRAPH_NODE);
  const parts: Uint8Array[] = [];
  graphFields.forEach((field, index) => {
    if (index === firstNode) parts.push(...nodes.map((node, i) => encodeLengthDelimited(GRAPH_NODE, encodeNode(node, `${prefix}${i}`))));
    if (field === input) parts.push(newInput);
    else parts.push(field.raw);
  });
  parts.push(...constants.map((tensor) => encodeLengthDelimited(GRAPH_INITIALIZER, encodeTensor(tensor))));
  const graph = writeFields(parts);
  return writeFields(modelFields.map((field) => (field === graphField ? encodeLengthDelimited(MODEL_GRAPH, graph) : field.raw)));
}

function preprocessingNodes(preprocessing: PixelPreprocessing, prefix: string, output: string): { nodes: NodeSpec[]; constants: TensorValue[] } {
  const nodes: NodeSpec[] = [
    { op: 'Cast', inputs: [PIXEL_INPUT], outputs: [`${prefix}float`], attributes: { to: 1 } },
    { op: 'Transpose', inputs: [`${prefix}float`], outputs: [`${prefix}nchw`], attributes: { perm: [0, 3, 1, 2] } },
  ];
  if (preprocessing.kind === 'rgb') {
    nodes.push(
      { op: 'Sub', inputs: [`${prefix}nchw`, `${prefix}mean`], outputs: [`${prefix}centred`] },
      { op: 'Div', inputs: [`${prefix}centred`, `${prefix}std`], outputs: [output] },
    );
    return {
      nodes,
      constants: [
        { name: `${prefix}mean`, dims: [], values: Float32Array.of(preprocessing.mean) },
        { name: `${prefix}std`, dims: [], values: Float32Array.of(preprocessing.std) },
      ],
    };
  }
  nodes.push({ op: 'Conv', inputs: [`${prefix}nchw`, `${prefix}weights`], outputs: [output] });
  return { nodes, constants: [{ name: `${prefix}weights`, dims: [1, 3, 1, 1], values: Float32Array.from(preprocessing.weights) }] };
}

function stringField(field: ProtoField, number: number): string {
  const found = readFields(field.payload).find((f) => f.number === number);
  return found ? decodeString(found.payload) : '';
}

function tensorDims(valueInfo: Uint8Array): Dim[] {
  const type = readFields(valueInfo).find((f) => f.number === VALUE_INFO_TYPE);
  const tensor = type && readFields(type.payload).find((f) => f.number === TYPE_TENSOR);
  const shape = tensor && readFields(tensor.payload).find((f) => f.number === TENSOR_TYPE_SHAPE);
  if (!shape) return [];
  return readFields(shape.payload)
    .filter((f) => f.number === SHAPE_DIM)
    .map((dim) => {
      const fields = readFields(dim.payload);
      const value = fields.find((f) => f.number === DIM_VALUE);
      if (value?.varint !== undefined) return Number(value.varint);
      const param = fields.find((f) => f.number === DIM_PARAM);
      return param ? decodeString(param.payload) : '?';
    });
}
