// Fetching a release archive into DATA_DIR (resumable, sha256-checked) and unpacking the files an import
// reads into a staging folder beside it; the import then checks them and swaps the database in.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { downloadFile, type DownloadProgress } from '../download/index.js';
import { SenseError } from '../errors.js';
import { extractOptionalZipEntry } from '../models/index.js';

/** What an import reads from a release; performers.db is optional. */
const RELEASE_FILES = ['manifest.json', 'faces.json', 'performers.json', 'face_facenet.voy', 'face_arcface.voy', 'performers.db'];

/** Hidden beside the database: a cut download resumes from here, and a finished import removes it. */
export const RELEASE_DOWNLOAD_DIR = '.upstream-download';

export interface DownloadedRelease {
  dir: string;
  /** Removes the archive and the unpacked files. */
  remove(): Promise<void>;
}

export async function downloadRelease(options: {
  dataDir: string;
  url: string;
  sha256: string;
  sizeBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress & { file: string }) => void;
}): Promise<DownloadedRelease> {
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new SenseError('BAD_INPUT', `"${options.url}" is not an http(s) URL of a release archive`);
  }
  const root = join(options.dataDir, RELEASE_DOWNLOAD_DIR);
  await mkdir(root, { recursive: true });
  const archiveName = basename(url.pathname).replace(/[^A-Za-z0-9._-]/g, '_') || 'release.zip';
  const archive = join(root, archiveName);
  await downloadFile({
    url: url.href,
    dest: archive,
    sha256: options.sha256,
    size: options.sizeBytes,
    signal: options.signal,
    onProgress: (progress) => options.onProgress?.({ file: archiveName, ...progress }),
  });
  const staging = join(root, 'release');
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  const data = await readFile(archive);
  for (const name of RELEASE_FILES) {
    if (options.signal?.aborted) throw new SenseError('CANCELLED', 'the import was cancelled');
    const entry = extractOptionalZipEntry(data, name, archiveName);
    if (entry) await writeFile(join(staging, name), entry);
  }
  return { dir: staging, remove: () => rm(root, { recursive: true, force: true }) };
}
