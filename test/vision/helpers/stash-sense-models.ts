// Stand-ins for the stash-sense models (which cannot be downloaded here), shaped like the real ones:
// an SCRFD detector with 9 outputs that reports chosen faces, and embedders with the real input names and
// layouts whose output lets a test read back exactly what they were fed.
import { buildOnnxModel, floats, int64s, type NodeSpec, type TensorValue } from './onnx-graph.js';

export const SCRFD_STRIDES = [8, 16, 32] as const;

/** One anchor's prediction: distances and keypoint offsets in stride units, as SCRFD predicts them. */
export interface ScrfdAnchor {
  stride: (typeof SCRFD_STRIDES)[number];
  column: number;
  row: number;
  anchor: 0 | 1;
  score: number;
  distances: [number, number, number, number];
  keypoints: number[];
}

/** det_500m's interface: input `input.1` [1, 3, H, W]; outputs scores, boxes, keypoints per stride, unbatched. */
export function scrfdModel(anchors: readonly ScrfdAnchor[], inputSize = 640): Uint8Array {
  const initializers: TensorValue[] = [];
  const nodes: NodeSpec[] = [];
  const outputs: { name: string; dims: number[] }[] = [];
  for (const [kind, width] of [['score', 1], ['bbox', 4], ['kps', 10]] as const) {
    for (const stride of SCRFD_STRIDES) {
      const cells = inputSize / stride;
      const count = cells * cells * 2;
      const values = new Float32Array(count * width);
      for (const anchor of anchors.filter((a) => a.stride === stride)) {
        const index = (anchor.row * cells + anchor.column) * 2 + anchor.anchor;
        const row = kind === 'score' ? [anchor.score] : kind === 'bbox' ? anchor.distances : anchor.keypoints;
        values.set(row, index * width);
      }
      const name = `${kind}_${stride}`;
      initializers.push(floats(`${name}_value`, [count, width], values));
      nodes.push({ op: 'Identity', inputs: [`${name}_value`], outputs: [name] });
      outputs.push({ name, dims: [count, width] });
    }
  }
  return buildOnnxModel({ inputs: [{ name: 'input.1', dims: [1, 3, 'height', 'width'] }], outputs, initializers, nodes });
}

/**
 * A Keras-export-shaped embedder (`input` [N, size, size, 3] → [N, 512]) whose output is 511 chosen values of
 * the flattened input followed by a 1. The embedder normalises what it gets, but value k / value 511 gives
 * back input value `picks[k]` exactly (and, for a flip-merged pair, the sum of both inputs' values).
 */
export function probeEmbedderModel(size: number, picks: readonly number[]): Uint8Array {
  if (picks.length !== 511) throw new Error('probeEmbedderModel needs 511 picks');
  return buildOnnxModel({
    inputs: [{ name: 'input', dims: ['batch', size, size, 3] }],
    outputs: [{ name: 'embedding', dims: ['batch', 512] }],
    initializers: [
      int64s('flat_shape', [0, -1]),
      int64s('picks', [...picks]),
      int64s('zero', [0]),
      int64s('one', [1]),
      int64s('axis1', [1]),
      floats('zero_f', [1], [0]),
      floats('one_f', [1], [1]),
    ],
    nodes: [
      { op: 'Reshape', inputs: ['input', 'flat_shape'], outputs: ['flat'] },
      { op: 'Gather', inputs: ['flat', 'picks'], outputs: ['picked'], attributes: { axis: 1 } },
      { op: 'Slice', inputs: ['flat', 'zero', 'one', 'axis1'], outputs: ['first'] },
      { op: 'Mul', inputs: ['first', 'zero_f'], outputs: ['zeros'] },
      { op: 'Add', inputs: ['zeros', 'one_f'], outputs: ['ones'] },
      { op: 'Concat', inputs: ['picked', 'ones'], outputs: ['embedding'], attributes: { axis: 1 } },
    ],
  });
}

/** 511 flat NHWC indices spread over the whole tensor, the last value included. */
export function spreadPicks(size: number): number[] {
  const total = size * size * 3;
  const step = Math.floor((total - 1) / 510);
  return [...Array.from({ length: 510 }, (_, i) => i * step), total - 1];
}

/** Reads the probe's values back from a normalised output: value k / value 511 (times `pairs` for merged flips). */
export function probeValues(vector: Float32Array, pairs = 1): number[] {
  const one = vector[511]!;
  return Array.from(vector.subarray(0, 511), (value) => (value / one) * pairs);
}
