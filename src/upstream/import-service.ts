// The importer as a service for the GraphQL mutation and the CLI: one import at a time, only under the
// profile whose embeddings the release holds, and the app switched to the new database once it is installed.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { UPSTREAM_PROFILE, importUpstream, type ImportProgress, type ImportUpstreamResult } from './import.js';

export interface ImportService {
  /**
   * Checks the release in `dir` (manifest counts and sha256s first), builds the new face database beside
   * DATA_DIR, installs it with one rename and switches the app to it. A failure leaves the current one serving.
   */
  importRelease(dir: string, options?: { signal?: AbortSignal; onProgress?: (progress: ImportProgress) => void }): Promise<ImportUpstreamResult>;
}

export interface ImportServiceOptions {
  dataDir: string;
  /** The model profile this process runs; the release's embeddings only make sense under stash-sense. */
  profile: string;
  /**
   * The folder releases must lie under (IMPORT_DIR, default DATA_DIR), symlinks resolved; a relative `dir` is taken
   * from it. The GraphQL mutation sets it, so an API client cannot make the service read any path on the host;
   * the CLI, run by someone who has the host already, passes null.
   */
  importRoot: string | null;
  logger: Logger;
  /**
   * Called once the new database is installed: open it and serve it instead of the old one (the old object
   * keeps answering from the replaced files until then). The CLI, with nothing open, passes a no-op.
   */
  reopen(): Promise<void>;
}

export function createImportService(options: ImportServiceOptions): ImportService {
  const { dataDir, logger } = options;
  let running = false;
  return {
    async importRelease(dir, importOptions = {}) {
      if (typeof dir !== 'string' || dir.trim() === '') throw new SenseError('BAD_INPUT', 'Give the folder of an upstream stash-sense data release to import');
      if (options.profile !== UPSTREAM_PROFILE) {
        // Installing it would replace this database with one the running models cannot search.
        throw new SenseError(
          'BAD_INPUT',
          `An upstream stash-sense database holds FaceNet512 and ArcFace embeddings, but this Stash Sense runs MODEL_PROFILE=${options.profile}. ` +
            `Set MODEL_PROFILE=${UPSTREAM_PROFILE} (and fetch its models with \`stash-sense models fetch --profile ${UPSTREAM_PROFILE}\`), then import again.`,
        );
      }
      if (running) throw new SenseError('CONFLICT', 'An import is already running; wait for it to finish');
      running = true;
      try {
        const source = options.importRoot === null ? resolve(dir) : await insideRoot(options.importRoot, dir);
        const result = await importUpstream(source, dataDir, importOptions, logger);
        try {
          await options.reopen();
        } catch (error: unknown) {
          logger.error('imported face database not loaded', { version: result.version, error: errorMessage(error) });
          throw new SenseError('INTERNAL', `The import was installed (version ${result.version}) but could not be loaded: ${errorMessage(error)}. Restart Stash Sense.`, {
            cause: error,
          });
        }
        return result;
      } finally {
        running = false;
      }
    },
  };
}

async function insideRoot(root: string, dir: string): Promise<string> {
  const outside = () => new SenseError('FORBIDDEN', `Releases are imported only from under IMPORT_DIR (${root}); copy the release there`);
  const escapes = (base: string, path: string) => {
    const rest = relative(base, path);
    return rest.startsWith('..') || isAbsolute(rest);
  };
  const target = resolve(root, dir);
  // Checked before touching the disk, so a client learns nothing about paths outside.
  if (escapes(resolve(root), target)) throw outside();
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new SenseError('BAD_INPUT', `There is no folder ${dir} under IMPORT_DIR (${root})`);
  }
  // Again with symlinks resolved: a link inside that points outside is outside.
  if (escapes(await realpath(root), real)) throw outside();
  return real;
}
