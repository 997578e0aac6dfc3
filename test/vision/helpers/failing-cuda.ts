// A session backend whose "CUDA" sessions are real onnxruntime sessions of a tiny model that cannot run the
// inputs our models get (a Reshape to 1×1×1), so every CUDA failure a test sees is a real ORT error; its CPU
// sessions are the real models.
import * as ort from 'onnxruntime-node';
import type { SessionBackend } from '../../../src/vision/index.js';
import { buildOnnxModel, int64s, type Dim } from './onnx-graph.js';

/** A float input of the declared dims, reshaped to 1×1×1: runs only on one float value. */
function reshapeToOne(input: string, dims: Dim[]): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: input, dims }],
    outputs: [{ name: 'output', dims: [1, 1, 1] }],
    initializers: [int64s('one', [1, 1, 1])],
    nodes: [{ op: 'Reshape', inputs: [input, 'one'], outputs: ['output'] }],
  });
}

/**
 * CUDA "available"; its sessions fail at start-up (their own start-up inference has 3 or more values), or only
 * once serving (they declare a 1×1×1 input, so the start-up inference passes and ORT refuses real inputs).
 */
export function failingCuda(when: 'start-up' | 'serving'): SessionBackend & { cudaSessions: number } {
  const dims = when === 'start-up' ? ['batch', 3, 'height', 'width'] : [1, 1, 1];
  const backend = {
    cudaSessions: 0,
    cudaUnavailableReason: () => undefined,
    async create(model: Uint8Array, provider: 'cuda' | 'cpu') {
      if (provider === 'cpu') return ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      backend.cudaSessions += 1;
      // The same input name as the real model, as a real CUDA session of it would have.
      const real = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
      const input = real.inputNames[0]!;
      await real.release();
      return ort.InferenceSession.create(reshapeToOne(input, dims), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    },
  };
  return backend;
}

