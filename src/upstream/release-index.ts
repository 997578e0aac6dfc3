// Which face database release the Python stash-sense project has published, read from a release index:
// GitHub's "latest release" JSON (tag_name, published_at, assets with size, browser_download_url and digest),
// or a list of releases (the newest non-draft one is taken).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SenseError, errorMessage } from '../errors.js';

export interface UpstreamRelease {
  version: string;
  publishedAt: string | null;
  downloadUrl: string;
  sizeBytes: number | null;
  /** Hex sha256 of the archive when the index gives one (GitHub's asset digest). */
  sha256: string | null;
}

export interface UpstreamReleaseCheck {
  indexUrl: string;
  latest: UpstreamRelease;
  /** The release imported into this data folder, when one was (recorded by the import). */
  installedVersion: string | null;
  updateAvailable: boolean;
}

/** Written into DATA_DIR by a successful import, so a later check knows what is installed. */
export const INSTALLED_RELEASE_FILE = 'upstream-release.json';

export async function fetchLatestRelease(indexUrl: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<UpstreamRelease> {
  const host = new URL(indexUrl).host;
  let body: unknown;
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs);
    const response = await fetch(indexUrl, { headers: { accept: 'application/vnd.github+json, application/json' }, signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error: unknown) {
    throw new SenseError('UPSTREAM_UNAVAILABLE', `The release index at ${host} could not be read (${errorMessage(error)}); check UPSTREAM_RELEASE_INDEX_URL and the network`);
  }
  return parseReleaseIndex(body, host);
}

export function parseReleaseIndex(body: unknown, host: string): UpstreamRelease {
  const releases = Array.isArray(body) ? body : [body];
  const release = releases.find((item): item is Record<string, unknown> => isRecord(item) && item.draft !== true);
  const fail = (why: string): never => {
    throw new SenseError('UPSTREAM_UNAVAILABLE', `The release index at ${host} is not a release list: ${why}`);
  };
  if (!release) return fail('no release in it');
  const version = typeof release.tag_name === 'string' ? release.tag_name.replace(/^v(?=\d)/, '') : fail('no tag_name');
  const assets = Array.isArray(release.assets) ? release.assets.filter(isRecord) : [];
  const archive = assets.find((asset) => typeof asset.name === 'string' && asset.name.toLowerCase().endsWith('.zip')) ?? fail(`release ${version} has no .zip asset`);
  const downloadUrl = typeof archive.browser_download_url === 'string' ? archive.browser_download_url : fail(`the asset of ${version} has no browser_download_url`);
  const digest = typeof archive.digest === 'string' ? /^sha256:([0-9a-f]{64})$/i.exec(archive.digest)?.[1]?.toLowerCase() ?? null : null;
  return {
    version,
    publishedAt: typeof release.published_at === 'string' ? release.published_at : null,
    downloadUrl,
    sizeBytes: typeof archive.size === 'number' ? archive.size : null,
    sha256: digest,
  };
}

export async function readInstalledRelease(dataDir: string): Promise<string | null> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, INSTALLED_RELEASE_FILE), 'utf8')) as unknown;
    return isRecord(parsed) && typeof parsed.version === 'string' ? parsed.version : null;
  } catch {
    return null;
  }
}

export async function recordInstalledRelease(dataDir: string, record: { version: string; databaseVersion: string }): Promise<void> {
  await writeFile(join(dataDir, INSTALLED_RELEASE_FILE), `${JSON.stringify({ ...record, importedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** Release versions are dates (2026.02.18): numeric parts compare in order; anything else differs or not. */
export function isNewerRelease(latest: string, installed: string | null): boolean {
  if (installed === null) return true;
  const parts = (version: string) => version.split(/[.-]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const a = parts(latest);
  const b = parts(installed);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x > y;
    return String(x) > String(y);
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
