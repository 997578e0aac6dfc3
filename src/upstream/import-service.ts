// The importer as a service for the GraphQL mutation and the CLI: one import at a time, only under the
// profile whose embeddings the release holds, and the app switched to the new database once it is installed.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { SenseError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { UPSTREAM_PROFILE, importUpstream, type ImportProgress, type ImportUpstreamResult } from './import.js';
import { downloadRelease } from './release-download.js';
import { fetchLatestRelease, isNewerRelease, readInstalledRelease, recordInstalledRelease, type UpstreamReleaseCheck } from './release-index.js';

/** Progress of an import from a URL: the download (bytes), then the import's own steps. */
export type ReleaseImportProgress = ImportProgress | { step: 'download'; file: string; done: number; total: number };

export interface ImportService {
  /**
   * Checks the release in `dir` (manifest counts and sha256s first), builds the new face database beside
   * DATA_DIR, installs it with one rename and switches the app to it. A failure leaves the current one serving.
   */
  importRelease(dir: string, options?: { signal?: AbortSignal; onProgress?: (progress: ImportProgress) => void }): Promise<ImportUpstreamResult>;
  /**
   * Downloads a release archive (resuming a cut download, checked against its sha256) into DATA_DIR, then
   * imports it as importRelease does. Without `url`, the latest release of the release index; without
   * `sha256`, the digest the index gives for that archive.
   */
  importFromUrl(
    source: { url?: string | null; sha256?: string | null },
    options?: { signal?: AbortSignal; onProgress?: (progress: ReleaseImportProgress) => void },
  ): Promise<ImportUpstreamResult>;
  /** Whether the release index lists a newer release than the one imported here. */
  checkRelease(signal?: AbortSignal): Promise<UpstreamReleaseCheck>;
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
  /** The release index (UPSTREAM_RELEASE_INDEX_URL) and how long to wait for it. */
  releaseIndex?: { url: string; timeoutMs: number };
}

export function createImportService(options: ImportServiceOptions): ImportService {
  const { dataDir, logger } = options;
  let running = false;
  const releaseIndex = () => {
    if (!options.releaseIndex) throw new SenseError('BAD_INPUT', 'No release index is configured here; give the release folder instead');
    return options.releaseIndex;
  };
  const service: ImportService = {
    async checkRelease(signal) {
      const index = releaseIndex();
      const latest = await fetchLatestRelease(index.url, { timeoutMs: index.timeoutMs, signal });
      const installedVersion = await readInstalledRelease(dataDir);
      return { indexUrl: index.url, latest, installedVersion, updateAvailable: isNewerRelease(latest.version, installedVersion) };
    },
    async importFromUrl(source, importOptions = {}) {
      let url = source.url ?? undefined;
      let sha256 = source.sha256 ?? undefined;
      let sizeBytes: number | undefined;
      if (!url || !sha256) {
        const index = releaseIndex();
        const latest = await fetchLatestRelease(index.url, { timeoutMs: index.timeoutMs, signal: importOptions.signal });
        if (!url || url === latest.downloadUrl) {
          url = latest.downloadUrl;
          sha256 ??= latest.sha256 ?? undefined;
          sizeBytes = latest.sizeBytes ?? undefined;
        }
        if (!sha256) throw new SenseError('BAD_INPUT', `No sha256 is known for ${new URL(url).host}'s archive: give it (sha256) so the download can be checked`);
      }
      if (options.profile !== UPSTREAM_PROFILE) throw profileMismatch(options.profile);
      const release = await downloadRelease({
        dataDir,
        url,
        sha256,
        sizeBytes,
        signal: importOptions.signal,
        onProgress: ({ file, receivedBytes, totalBytes }) => importOptions.onProgress?.({ step: 'download', file, done: receivedBytes, total: totalBytes ?? receivedBytes }),
      });
      const result = await service.importRelease(release.dir, importOptions);
      await release.remove();
      return result;
    },
    async importRelease(dir, importOptions = {}) {
      if (typeof dir !== 'string' || dir.trim() === '') throw new SenseError('BAD_INPUT', 'Give the folder of an upstream stash-sense data release to import');
      if (options.profile !== UPSTREAM_PROFILE) {
        // Installing it would replace this database with one the running models cannot search.
        throw profileMismatch(options.profile);
      }
      if (running) throw new SenseError('CONFLICT', 'An import is already running; wait for it to finish');
      running = true;
      try {
        const source = options.importRoot === null ? resolve(dir) : await insideRoot(options.importRoot, dir);
        const result = await importUpstream(source, dataDir, importOptions, logger);
        await recordInstalledRelease(dataDir, { version: result.upstreamVersion, databaseVersion: result.version });
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
  return service;
}

function profileMismatch(profile: string): SenseError {
  return new SenseError(
    'BAD_INPUT',
    `An upstream stash-sense database holds FaceNet512 and ArcFace embeddings, but this Stash Sense runs MODEL_PROFILE=${profile}. ` +
      `Set MODEL_PROFILE=${UPSTREAM_PROFILE} (and fetch its models with \`stash-sense models fetch --profile ${UPSTREAM_PROFILE}\`), then import again.`,
  );
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
