// `npm run gpu:check`: proves the CUDA execution provider really runs here, then times the scene benchmark on
// it. Installs nothing and downloads nothing. Exit 0: CUDA works; 1: it does not (the reason is printed).
import * as ort from 'onnxruntime-node';
import { formatTable } from '../bench/report.js';
import { encodeLengthDelimited, encodeString, encodeVarintField, writeFields } from '../src/vision/protobuf.js';
import { encodeNode, encodeTensor, encodeValueInfo } from '../src/vision/onnx-encode.js';
import { cudaMissingReason } from '../src/vision/onnx-sessions.js';

const deviceId = Number(process.env.CUDA_DEVICE ?? 0);
const SIDE = 2048;
const RUNS = 20;

console.log(`onnxruntime-node ${ort.env.versions.common}, ${process.platform}/${process.arch}, CUDA_DEVICE=${deviceId}`);
const missing = cudaMissingReason();
if (missing) {
  console.error(`no CUDA provider: ${missing}`);
  process.exit(1);
}

// A 2048×2048 MatMul that ORT must place wholly on CUDA: with the CPU fallback disabled, a session that
// could not put every node on the GPU fails to open instead of quietly running on the CPU.
const model = matMulModel(SIDE);
let cuda: ort.InferenceSession;
try {
  cuda = await ort.InferenceSession.create(model, {
    executionProviders: [{ name: 'cuda', deviceId }],
    extra: { session: { disable_cpu_ep_fallback: '1' } },
    logSeverityLevel: 3,
  });
} catch (error: unknown) {
  console.error(`no CUDA provider: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exit(1);
}
const cpu = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], logSeverityLevel: 3 });
const input = new ort.Tensor('float32', Float32Array.from({ length: SIDE * SIDE }, (_, i) => ((i * 7919) % 1000) / 1000), [SIDE, SIDE]);
const cudaMs = await timeRuns(cuda, input);
const cpuMs = await timeRuns(cpu, input);
console.log(`CUDA executes: ${RUNS} MatMuls of ${SIDE}×${SIDE} in ${cudaMs.toFixed(0)} ms on CUDA, ${cpuMs.toFixed(0)} ms on the CPU (${(cpuMs / cudaMs).toFixed(1)}×)`);
await cuda.release();
await cpu.release();

// The scene benchmark with EXECUTION_PROVIDER=cuda: start-up fails rather than falling back if a model cannot run.
process.env.BENCH_EXECUTION_PROVIDER = 'cuda';
const { benchmark } = await import('../bench/scene.bench.js');
for (const section of [await benchmark.run()].flat()) console.log(formatTable(section));

async function timeRuns(session: ort.InferenceSession, tensor: ort.Tensor): Promise<number> {
  await session.run({ a: tensor });
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) await session.run({ a: tensor });
  return performance.now() - started;
}

function matMulModel(side: number): Uint8Array {
  const weights = Float32Array.from({ length: side * side }, (_, i) => ((i * 104729) % 2000) / 1000 - 1);
  const graph = writeFields([
    encodeLengthDelimited(1, encodeNode({ op: 'MatMul', inputs: ['a', 'w'], outputs: ['b'] }, 'matmul')),
    encodeLengthDelimited(2, encodeString('gpu-check')),
    encodeLengthDelimited(5, encodeTensor({ name: 'w', dims: [side, side], values: weights })),
    encodeLengthDelimited(11, encodeValueInfo('a', [side, side])),
    encodeLengthDelimited(12, encodeValueInfo('b', [side, side])),
  ]);
  const opset = writeFields([encodeLengthDelimited(1, encodeString('')), encodeVarintField(2, 13n)]);
  return writeFields([encodeVarintField(1, 7n), encodeLengthDelimited(2, encodeString('stash-sense')), encodeLengthDelimited(7, graph), encodeLengthDelimited(8, opset)]);
}
