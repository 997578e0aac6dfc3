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
}

export interface SessionFactory {
  /** The provider sessions run on; decided by the first `create` call. */
  readonly provider: ExecutionProvider;
  /** Why this provider: requested, available, or why CUDA was not used. */
  readonly reason: string;
  create(model: Uint8Array): Promise<ort.InferenceSession>;
}

/**
 * Sessions on the configured execution provider. ORT only reports a missing CUDA library, CUDA runtime or
 * cuDNN 9 when a session asks for the CUDA provider, so the first session decides: with `auto` a failure
 * means CPU from then on (one warning saying why), with `cuda` it stops start-up.
 */
export function createSessionFactory(setting: ExecutionProviderSetting, tuning: OrtTuning, logger: Logger): SessionFactory {
  const cpuOptions = sessionOptions(tuning, ['cpu']);
  const cudaOptions = sessionOptions(tuning, ['cuda', 'cpu']);
  let provider: ExecutionProvider = setting === 'cuda' ? 'cuda' : 'cpu';
  let reason = setting === 'cpu' ? 'CPU execution provider requested' : 'CUDA execution provider not tried yet';
  // Settled once the first session has decided the provider; later sessions wait for it.
  let decision: Promise<unknown> | undefined = setting === 'cpu' ? Promise.resolve() : undefined;

  async function firstSession(model: Uint8Array): Promise<ort.InferenceSession> {
    let failure = cudaMissingReason();
    if (!failure) {
      try {
        const session = await ort.InferenceSession.create(model, cudaOptions);
        provider = 'cuda';
        reason = 'CUDA execution provider available';
        return session;
      } catch (error: unknown) {
        failure = errorMessage(error).split('\n')[0] ?? 'unknown error';
      }
    }
    if (setting === 'cuda') {
      throw new SenseError(
        'MODEL_MISSING',
        `EXECUTION_PROVIDER is "cuda" but the CUDA execution provider is not available: ${failure}. ` +
          "onnxruntime's CUDA provider needs an NVIDIA GPU, the CUDA runtime its build targets (see the README's GPU " +
          'troubleshooting) and cuDNN 9; use EXECUTION_PROVIDER=auto or cpu to run on the CPU.',
      );
    }
    provider = 'cpu';
    reason = `CUDA execution provider not available: ${failure}`;
    logger.warn('falling back to the CPU execution provider', { reason });
    return ort.InferenceSession.create(model, cpuOptions);
  }

  return {
    get provider() {
      return provider;
    },
    get reason() {
      return reason;
    },
    async create(model) {
      if (!decision) {
        const first = firstSession(model);
        decision = first.catch(() => undefined);
        return first;
      }
      await decision;
      return ort.InferenceSession.create(model, provider === 'cuda' ? cudaOptions : cpuOptions);
    },
  };
}

/**
 * onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=skip has no CUDA provider library; asking for
 * CUDA then fails only after ORT prints its own error lines to stderr, so look for the library first.
 */
function cudaMissingReason(): string | undefined {
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

function sessionOptions(tuning: OrtTuning, executionProviders: string[]): ort.InferenceSession.SessionOptions {
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
