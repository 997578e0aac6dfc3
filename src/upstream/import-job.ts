// importUpstream as a job of the service, from a folder or from a release URL (downloaded first), with
// progress per step: MB while downloading and reading checksums, items after that.
import { SenseError } from '../errors.js';
import type { JobHandler } from '../jobs/index.js';
import type { ImportService, ReleaseImportProgress } from './import-service.js';

/** A folder the service can read, or a release archive's URL (none: the latest release of the index). */
export interface ImportUpstreamJobInput {
  dir?: string | null;
  url?: string | null;
  sha256?: string | null;
}

const MB = 1_000_000;
const PROGRESS_INTERVAL_MS = 500;

export function createImportUpstreamJob(service: ImportService): JobHandler<ImportUpstreamJobInput> {
  return {
    resources: ['vision', 'network'],
    run: ({ input, signal, progress }) => {
      // The importer reports per element; each job progress is a database write, so a new step or every
      // PROGRESS_INTERVAL_MS is enough for a person watching.
      let lastLabel = '';
      let lastAt = 0;
      const onProgress = (update: ReleaseImportProgress) => {
        const inMb = update.step === 'checksums' || update.step === 'download';
        const label =
          update.step === 'convert' ? `convert ${update.model}` : update.step === 'checksums' || update.step === 'download' ? `${update.step} ${update.file} (MB)` : update.step;
        const now = performance.now();
        if (label === lastLabel && update.done < update.total && now - lastAt < PROGRESS_INTERVAL_MS) return;
        lastLabel = label;
        lastAt = now;
        progress({ done: inMb ? Math.floor(update.done / MB) : update.done, total: inMb ? Math.ceil(update.total / MB) : update.total, current: label });
      };
      if (input.dir && input.url) throw new SenseError('BAD_INPUT', 'Give a release folder or a release URL, not both');
      if (input.dir) return service.importRelease(input.dir, { signal, onProgress });
      return service.importFromUrl({ url: input.url, sha256: input.sha256 }, { signal, onProgress });
    },
  };
}
