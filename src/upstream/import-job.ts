// importUpstream as a job of the service, with progress per step (MB while checksums are read).
import type { JobHandler } from '../jobs/index.js';
import type { ImportService } from './import-service.js';

export interface ImportUpstreamJobInput {
  dir: string;
}

const MB = 1_000_000;
const PROGRESS_INTERVAL_MS = 500;

export function createImportUpstreamJob(service: ImportService): JobHandler<ImportUpstreamJobInput> {
  return {
    resources: ['vision'],
    run: ({ input, signal, progress }) => {
      // The importer reports per element; each job progress is a database write, so a new step or every
      // PROGRESS_INTERVAL_MS is enough for a person watching.
      let lastLabel = '';
      let lastAt = 0;
      return service.importRelease(input.dir, {
        signal,
        onProgress: (update) => {
          const inMb = update.step === 'checksums';
          const label = update.step === 'convert' ? `convert ${update.model}` : update.step === 'checksums' ? `checksums ${update.file} (MB)` : update.step;
          const now = performance.now();
          if (label === lastLabel && update.done < update.total && now - lastAt < PROGRESS_INTERVAL_MS) return;
          lastLabel = label;
          lastAt = now;
          progress({ done: inMb ? Math.floor(update.done / MB) : update.done, total: inMb ? Math.ceil(update.total / MB) : update.total, current: label });
        },
      });
    },
  };
}
