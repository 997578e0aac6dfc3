// manifest.json of an upstream release (reference/upstream-pipeline.md §2.1): its counts and sha256s are
// checked before anything is converted or written.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256OfFile } from '../download/index.js';
import { SenseError } from '../errors.js';

export interface UpstreamManifest {
  version: string;
  createdAt: string | null;
  performerCount: number;
  faceCount: number;
  sources: string[];
  facenetDims: number | undefined;
  arcfaceDims: number | undefined;
  /** File name → lower-case hex sha256. */
  checksums: Record<string, string>;
}

export function parseManifest(text: string): UpstreamManifest {
  const bad = (why: string): never => {
    throw new SenseError('BAD_INPUT', `manifest.json is not a valid upstream manifest: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    bad('it is not JSON');
  }
  if (!isRecord(raw)) return bad('it is not a JSON object');
  const version = raw['version'];
  if (typeof version !== 'string' || version === '') bad('"version" is missing');
  const count = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(`"${key}" is not a count`);
    return value as number;
  };
  const checksums: Record<string, string> = {};
  const rawChecksums = raw['checksums'];
  if (!isRecord(rawChecksums)) bad('"checksums" is missing');
  for (const [file, value] of Object.entries(rawChecksums as Record<string, unknown>)) {
    // Names must stay inside the release directory.
    if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('.')) bad(`checksum entry "${file}" is not a plain file name`);
    const match = typeof value === 'string' ? /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(value) : null;
    if (!match) bad(`the checksum of ${file} is not "sha256:<64 hex digits>"`);
    checksums[file] = match![1]!.toLowerCase();
  }
  const models = isRecord(raw['models']) ? raw['models'] : {};
  const dims = (key: string): number | undefined => {
    const value = models[key];
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  };
  const sources = Array.isArray(raw['sources']) ? raw['sources'].filter((source): source is string => typeof source === 'string') : [];
  return {
    version: version as string,
    createdAt: typeof raw['created_at'] === 'string' ? raw['created_at'] : null,
    performerCount: count('performer_count'),
    faceCount: count('face_count'),
    sources,
    facenetDims: dims('facenet_dim'),
    arcfaceDims: dims('arcface_dim'),
    checksums,
  };
}

export interface ChecksumProgress {
  file: string;
  doneBytes: number;
  totalBytes: number;
}

/**
 * Hashes every file the manifest lists (each must exist) and requires `required` to be listed.
 * A mismatch names the file and both hashes.
 */
export async function verifyChecksums(
  dir: string,
  manifest: UpstreamManifest,
  required: readonly string[],
  options: { signal?: AbortSignal; onProgress?: (progress: ChecksumProgress) => void } = {},
): Promise<void> {
  for (const file of required) {
    if (!manifest.checksums[file]) throw new SenseError('BAD_INPUT', `manifest.json has no checksum for ${file}`);
  }
  const files = Object.entries(manifest.checksums);
  const sizes = new Map<string, number>();
  for (const [file] of files) {
    const size = await stat(join(dir, file)).then(
      (info) => info.size,
      () => undefined,
    );
    if (size === undefined) throw new SenseError('BAD_INPUT', `${file} is listed in manifest.json but missing from ${dir}`);
    sizes.set(file, size);
  }
  const totalBytes = [...sizes.values()].reduce((sum, size) => sum + size, 0);
  let before = 0;
  for (const [file, expected] of files) {
    if (options.signal?.aborted) throw new SenseError('CANCELLED', 'the upstream import was cancelled');
    const actual = await sha256OfFile(join(dir, file), (bytes) => options.onProgress?.({ file, doneBytes: before + bytes, totalBytes }), options.signal);
    if (actual !== expected) {
      throw new SenseError('BAD_INPUT', `${file} does not match manifest.json: sha256 is ${actual}, the manifest says ${expected}`);
    }
    before += sizes.get(file)!;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
