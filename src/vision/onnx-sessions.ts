import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ExecutionProvider, ExecutionProviderSetting } from './types.js';

export interface OrtTuning {
  /** Threads per ONNX session for one operator; 0 lets ORT choose (one per core). */
  intraOpNumThreads: number;
  /** Spinning worker threads steal the cores sharp/libvips and Node need when they share a small machine. */
  allowSpinning: boolean;
  /** The CUDA device sessions run on (CUDA_DEVICE); 0 is the first GPU the container sees. */
  cudaDeviceId: number;
}

/** What the models hold: a session whose provider may change under them (CUDA → CPU) without them knowing. */
export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType>;
  release(): Promise<void>;
}

/** Where sessions come from; a test passes its own to make a provider fail. */
export interface SessionBackend {
  /** Why CUDA cannot be tried at all (no provider library), or undefined when it can. */
  cudaUnavailableReason(): string | undefined;
  create(model: Uint8Array, provider: ExecutionProvider): Promise<ort.InferenceSession>;
}

export interface SessionOpenOptions {
  /** The model's role, named in logs and errors ("detector", "embedder"). */
  name: string;
  /** The first input's shape for the start-up inference; without it, a symbolic batch is `warmUpBatch` and others 1. */
  warmUpShape?: readonly number[];
  /** The batch the start-up inference proves (a batch-patched graph runs two); default 1. */
  warmUpBatch?: number;
}

export interface InferenceStats {
  runs: number;
  /** Milliseconds spent inside session.run, summed over sessions (they may overlap). */
  runMs: number;
}

export interface SessionFactory {
  /** The provider sessions run on now; it becomes 'cpu' when CUDA fails under `auto`. */
  readonly provider: ExecutionProvider;
  /** Why this provider: requested, available, or why CUDA was not (or no longer) used. */
  readonly reason: string;
  create(model: Uint8Array, options: SessionOpenOptions): Promise<ModelSession>;
  /** Running totals since the factory was made. */
  stats(): InferenceStats;
}

/**
 * CUDA inference failures in a row (across sessions, any success resets the count) after which `auto` gives
 * up on CUDA. One failure can be a single bad input; three in a row on inputs that ran at start-up means the
 * card, driver or memory is the problem, and every further job would fail the same way.
 */
export const CUDA_FAILURES_BEFORE_FALLBACK = 3;

/**
 * Sessions on the configured execution provider, each proven by one real inference when it opens: ORT reports
 * a missing CUDA library at session creation, but a cuDNN mismatch, a card without kernels for its compute
 * capability or a lack of memory only when a model runs. Under `auto` any such failure moves every session to
 * the CPU (one warning naming the cause; `reason` keeps it for /health); under `cuda` start-up stops with it.
 * Errors while serving are INFERENCE_FAILED naming the model and provider, and a run of them on CUDA under
 * `auto` moves to the CPU too instead of failing every job.
 */
export function createSessionFactory(
  setting: ExecutionProviderSetting,
  tuning: OrtTuning,
  logger: Logger,
  backend: SessionBackend = createOrtBackend(tuning),
): SessionFactory {
  let provider: ExecutionProvider = setting === 'cuda' ? 'cuda' : 'cpu';
  let reason = setting === 'cpu' ? 'CPU execution provider requested' : 'CUDA execution provider not tried yet';
  let checked = setting === 'cpu';
  let failuresInARow = 0;
  let switching: Promise<void> | undefined;
  // Sessions are opened one at a time, so a fallback during one open sees every session opened before it.
  let opening: Promise<unknown> = Promise.resolve();
  const guarded: GuardedSession[] = [];
  const totals: InferenceStats = { runs: 0, runMs: 0 };

  function checkCuda(): void {
    if (checked) return;
    checked = true;
    const missing = backend.cudaUnavailableReason();
    if (!missing) {
      provider = 'cuda';
      reason = 'CUDA execution provider available';
      return;
    }
    if (setting === 'cuda') throw cudaRequired(missing);
    provider = 'cpu';
    reason = `CUDA execution provider not available: ${missing}`;
    logger.warn('falling back to the CPU execution provider', { reason });
  }

  async function fallBackToCpu(why: string): Promise<void> {
    if (switching) return switching;
    if (provider === 'cpu') return;
    provider = 'cpu';
    reason = why;
    logger.warn('falling back to the CPU execution provider', { reason });
    switching = (async () => {
      for (const session of guarded) await session.moveToCpu();
    })();
    try {
      await switching;
    } finally {
      switching = undefined;
    }
  }

  async function openOn(target: ExecutionProvider, model: Uint8Array, options: SessionOpenOptions): Promise<ort.InferenceSession> {
    const session = await backend.create(model, target);
    try {
      await session.run(warmUpFeeds(session, options.warmUpShape, options.warmUpBatch));
      return session;
    } catch (error: unknown) {
      await session.release().catch(() => undefined);
      throw error;
    }
  }

  class GuardedSession implements ModelSession {
    constructor(
      private current: ort.InferenceSession,
      private onProvider: ExecutionProvider,
      // Kept only while the session may still have to be reopened on the CPU.
      private model: Uint8Array | undefined,
      private readonly options: SessionOpenOptions,
    ) {}

    get inputNames(): readonly string[] {
      return this.current.inputNames;
    }

    get outputNames(): readonly string[] {
      return this.current.outputNames;
    }

    async moveToCpu(): Promise<void> {
      if (this.onProvider === 'cpu' || !this.model) return;
      const cpu = await openOn('cpu', this.model, this.options).catch((error: unknown) => {
        throw new SenseError('INFERENCE_FAILED', `The ${this.options.name} model failed on the CPU execution provider too: ${firstLine(error)}`, { cause: error });
      });
      const old = this.current;
      this.current = cpu;
      this.onProvider = 'cpu';
      this.model = undefined;
      await old.release().catch(() => undefined);
    }

    async run(feeds: ort.InferenceSession.FeedsType): Promise<ort.InferenceSession.ReturnType> {
      if (switching) await switching;
      const session = this.current;
      const on = this.onProvider;
      const started = performance.now();
      try {
        const outputs = await session.run(feeds);
        totals.runs += 1;
        totals.runMs += performance.now() - started;
        failuresInARow = 0;
        return outputs;
      } catch (error: unknown) {
        const cause = firstLine(error);
        if (on === 'cuda' && setting === 'auto') {
          failuresInARow += 1;
          if (failuresInARow >= CUDA_FAILURES_BEFORE_FALLBACK || provider === 'cpu') {
            await fallBackToCpu(`CUDA execution provider failed: the ${this.options.name} model failed ${failuresInARow} times in a row: ${cause}`);
            return this.run(feeds);
          }
        }
        throw new SenseError('INFERENCE_FAILED', `The ${this.options.name} model failed on the ${on} execution provider: ${cause}`, { cause: error });
      }
    }

    async release(): Promise<void> {
      const index = guarded.indexOf(this);
      if (index >= 0) guarded.splice(index, 1);
      this.model = undefined;
      await this.current.release();
    }
  }

  async function open(model: Uint8Array, options: SessionOpenOptions): Promise<ModelSession> {
    checkCuda();
    if (provider === 'cuda') {
      try {
        const session = await openOn('cuda', model, options);
        const kept = new GuardedSession(session, 'cuda', setting === 'auto' ? model : undefined, options);
        guarded.push(kept);
        return kept;
      } catch (error: unknown) {
        const cause = firstLine(error);
        if (setting === 'cuda') throw cudaRequired(`the ${options.name} model failed to start on CUDA: ${cause}`);
        await fallBackToCpu(`CUDA execution provider failed: the ${options.name} model could not start on it: ${cause}`);
      }
    }
    const session = await openOn('cpu', model, options).catch((error: unknown) => {
      throw new SenseError('INFERENCE_FAILED', `The ${options.name} model failed its start-up inference on the CPU: ${firstLine(error)}`, { cause: error });
    });
    const kept = new GuardedSession(session, 'cpu', undefined, options);
    guarded.push(kept);
    return kept;
  }

  return {
    get provider() {
      return provider;
    },
    get reason() {
      return reason;
    },
    create(model, options) {
      const result = opening.then(() => open(model, options));
      opening = result.catch(() => undefined);
      return result;
    },
    stats: () => ({ ...totals }),
  };
}

/** onnxruntime-node's own sessions with our options; the CUDA ones fall back to CPU kernels per operator only. */
export function createOrtBackend(tuning: OrtTuning): SessionBackend {
  const cpuOptions = sessionOptions(tuning, ['cpu']);
  const cudaOptions = sessionOptions(tuning, [{ name: 'cuda', deviceId: tuning.cudaDeviceId }, 'cpu']);
  return {
    cudaUnavailableReason: cudaMissingReason,
    create: (model, provider) => ort.InferenceSession.create(model, provider === 'cuda' ? cudaOptions : cpuOptions),
  };
}

/**
 * Zero inputs of the session's declared shapes; `firstShape` replaces the first input's where the model
 * leaves a side symbolic and 1 would not run (an image side). Our models take float32 or uint8 (pixel) inputs.
 */
export function warmUpFeeds(session: ort.InferenceSession, firstShape?: readonly number[], batch = 1): ort.InferenceSession.FeedsType {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [index, meta] of session.inputMetadata.entries()) {
    const declared = meta.isTensor ? meta.shape : [];
    const shape = (index === 0 ? firstShape : undefined) ?? declared.map((dim, i) => (typeof dim === 'number' && dim > 0 ? dim : i === 0 ? batch : 1));
    const size = shape.reduce((product, dim) => product * dim, 1);
    feeds[meta.name] = meta.isTensor && meta.type === 'uint8' ? new ort.Tensor('uint8', new Uint8Array(size), [...shape]) : new ort.Tensor('float32', new Float32Array(size), [...shape]);
  }
  return feeds;
}

function cudaRequired(why: string): SenseError {
  return new SenseError(
    'MODEL_MISSING',
    `EXECUTION_PROVIDER is "cuda" but the CUDA execution provider is not available: ${why}. ` +
      "onnxruntime's CUDA provider needs an NVIDIA GPU, the CUDA runtime its build targets (see the README's GPU " +
      'troubleshooting) and cuDNN 9; use EXECUTION_PROVIDER=auto or cpu to run on the CPU.',
  );
}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? 'unknown error';
}

/**
 * onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=skip has no CUDA provider library; asking for
 * CUDA then fails only after ORT prints its own error lines to stderr, so look for the library first.
 */
export function cudaMissingReason(): string | undefined {
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  if (!cuda) return `onnxruntime-node has no CUDA support on ${process.platform}/${process.arch}`;
  if (cuda.bundled) return undefined;
  let bindingDir: string;
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    bindingDir = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
  if (!existsSync(bindingDir) || existsSync(join(bindingDir, CUDA_PROVIDER_LIBRARY))) return undefined;
  return `onnxruntime-node was installed without its CUDA binaries (no ${CUDA_PROVIDER_LIBRARY}; reinstall it without ONNXRUNTIME_NODE_INSTALL=skip)`;
}

const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

/**
 * onnxruntime-node 1.30 forwards only `deviceId` to the CUDA provider (js/node/src/session_options_helper.cc
 * builds OrtCUDAProviderOptionsV2 from it alone), so the rest are ORT's defaults: a BFC arena growing by powers
 * of two without a limit, and an exhaustive cuDNN convolution search per input shape, which pays off here
 * because our shapes are few and fixed (see the README's GPU section).
 */
function sessionOptions(tuning: OrtTuning, executionProviders: ort.InferenceSession.ExecutionProviderConfig[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: tuning.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // ORT's own warnings (e.g. "initializer appears in graph inputs") bypass our logger; keep errors only.
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: tuning.allowSpinning ? '1' : '0' } } },
  };
}
