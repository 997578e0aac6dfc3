// A vision pipeline that can start without its model files: the service then runs degraded (health and the
// status page name the missing files, identification answers MODEL_MISSING) until a model download finishes
// and `reload()` opens the real pipeline in place, without a restart.
import { SenseError, errorMessage, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { findMissingModelFiles, loadModelManifest } from '../models/index.js';
import { createVisionPipeline, DEFAULT_VISION_TUNING, type VisionDeps, type VisionPipeline, type VisionTuning } from './pipeline.js';
import type { VisionConfig } from './types.js';

export interface ReplaceableVision extends VisionPipeline {
  /** Opens the models again (after a download); true once they load. A failure keeps the current state. */
  reload(): Promise<boolean>;
}

export interface OpenVisionOptions {
  /** Start degraded when the profile's model files are missing or wrong, instead of refusing to start. */
  allowMissingModels: boolean;
  tuning?: Partial<VisionTuning> | undefined;
  /** What the pipeline is built from besides configuration (a test's failing session backend). */
  deps?: VisionDeps | undefined;
}

export async function openVisionOrDegraded(config: VisionConfig, logger: Logger, options: OpenVisionOptions): Promise<ReplaceableVision> {
  let current: VisionPipeline | undefined;
  let missing: string[] = [];
  let reason = '';

  const open = async (): Promise<boolean> => {
    try {
      current = await createVisionPipeline(config, logger, options.tuning, options.deps);
      missing = [];
      return true;
    } catch (error: unknown) {
      if (!options.allowMissingModels || !isSenseError(error) || error.code !== 'MODEL_MISSING') throw error;
      const manifest = await loadModelManifest(options.tuning?.manifestPath ?? DEFAULT_VISION_TUNING.manifestPath);
      const absent = await findMissingModelFiles(config.modelsDir, config.profile, manifest);
      // A file of the right size but the wrong sha256 is named by the error itself; list it anyway.
      missing = absent.length > 0 ? absent : [error.message];
      reason = error.message;
      logger.warn('model files missing: running degraded until they are fetched (downloadModels, or stash-sense models fetch)', {
        profile: config.profile,
        modelsDir: config.modelsDir,
        missing: missing.join(','),
      });
      return false;
    }
  };
  await open();

  const loaded = (): VisionPipeline => {
    if (current) return current;
    throw new SenseError(
      'MODEL_MISSING',
      `The ${config.profile} model files are not installed (missing: ${missing.join(', ')}). Fetch them with the downloadModels mutation, ` +
        `the Stash plugin's Download models button, or \`stash-sense models fetch --profile ${config.profile}\`.`,
    );
  };

  return {
    get profile() {
      return config.profile;
    },
    get executionProvider() {
      return current?.executionProvider ?? 'cpu';
    },
    get executionProviderReason() {
      return current?.executionProviderReason ?? `models not loaded: ${reason}`;
    },
    get embeddingModels() {
      return current?.embeddingModels ?? [];
    },
    get missingModels() {
      return current ? [] : missing;
    },
    decodeImage: (bytes) => loaded().decodeImage(bytes),
    detectFaces: (image, detectOptions) => loaded().detectFaces(image, detectOptions),
    embedFaces: (image, faces) => loaded().embedFaces(image, faces),
    embedFramesFaces: (frames) => loaded().embedFramesFaces(frames),
    analyzeImage: (bytes, signal) => loaded().analyzeImage(bytes, signal),
    cropFace: (image, box, sizePx) => loaded().cropFace(image, box, sizePx),
    keepFaceRegion: (image, box) => loaded().keepFaceRegion(image, box),
    inferenceStats: () => current?.inferenceStats() ?? { runs: 0, runMs: 0 },
    async reload() {
      if (current) return true;
      try {
        const ok = await open();
        if (ok) logger.info('model files installed: vision models loaded', { profile: config.profile });
        return ok;
      } catch (error: unknown) {
        // Files that pass their sha256 and still fail to load are reported; the service stays degraded.
        reason = errorMessage(error);
        missing = [`${config.profile} models (installed, but they do not load: ${reason})`];
        logger.error('model files installed but not loaded', { profile: config.profile, error: reason });
        return false;
      }
    },
    async close() {
      await current?.close();
    },
  };
}
