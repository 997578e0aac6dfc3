// The downloadModels job: fetches a profile's model files into MODELS_DIR (resumable, sha256-checked, each
// file renamed into place only when complete) with progress in MB, then lets the app load them.
import type { JobRun } from '../jobs/index.js';
import type { Logger } from '../logger.js';
import { fetchModelFiles, type FetchedModel } from './fetch.js';
import { loadModelManifest, PACKAGED_MANIFEST_PATH } from './manifest.js';

export interface DownloadModelsJobInput {
  profile: string;
}

export interface DownloadModelsJobResult {
  profile: string;
  modelsDir: string;
  files: FetchedModel[];
  /** Whether the service loaded the models afterwards (false: they are installed, a restart loads them). */
  loaded: boolean;
}

export interface DownloadModelsJobOptions {
  modelsDir: string;
  /** Defaults to the packaged models/manifest.json; tests point it at a local server's files. */
  manifestPath?: string;
  /** Called once every file is in place: load them (vision.reload). */
  onInstalled(profile: string): Promise<boolean>;
  logger: Logger;
}

const MB = 1_000_000;

export function createDownloadModelsJob(options: DownloadModelsJobOptions): { resources: readonly string[]; run: JobRun<DownloadModelsJobInput> } {
  return {
    resources: ['network'],
    async run({ input, signal, progress }) {
      const manifest = await loadModelManifest(options.manifestPath ?? PACKAGED_MANIFEST_PATH);
      const files = manifest.profiles[input.profile]?.files ?? [];
      // What each download weighs (an archive for a zipped file), so done/total cover the whole job.
      const sizes = new Map(files.map((file) => [file.source.kind === 'zip' ? new URL(file.source.url).pathname.split('/').pop() ?? file.name : file.name, file.source.kind === 'zip' ? (file.source.size ?? 0) : (file.size ?? 0)]));
      const totalBytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
      const received = new Map<string, number>();
      progress({ done: 0, total: Math.ceil(totalBytes / MB), current: null });
      const fetched = await fetchModelFiles({
        manifest,
        profile: input.profile,
        modelsDir: options.modelsDir,
        signal,
        logger: options.logger,
        onProgress: ({ file, receivedBytes }) => {
          received.set(file, receivedBytes);
          const doneBytes = [...received.values()].reduce((sum, bytes) => sum + bytes, 0);
          progress({ done: Math.floor(doneBytes / MB), current: `${file} (MB)` });
        },
      });
      progress({ done: Math.ceil(totalBytes / MB), current: null });
      const loaded = await options.onInstalled(input.profile);
      const result: DownloadModelsJobResult = { profile: input.profile, modelsDir: options.modelsDir, files: fetched, loaded };
      return result;
    },
  };
}
