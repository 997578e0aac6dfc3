// Large release files (a 600 MB index, a 1.5 GB zip) over flaky links: keep what arrived in `<dest>.partial`,
// resume it with an HTTP Range request on the next call, and install only a file whose sha256 matches.
import { createHash, type Hash } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { SenseError } from '../errors.js';
import { hashFileInto, sha256OfFile } from './sha256.js';

export interface DownloadProgress {
  /** Bytes of the file on disk so far, including any resumed part. */
  receivedBytes: number;
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Expected hex sha256 of the whole file (a "sha256:" prefix is accepted). */
  sha256: string;
  /** Expected size in bytes, when known: a server offering another size is refused before any byte is kept. */
  size?: number;
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` while bytes arrive, and once at the end. */
  onProgress?: (progress: DownloadProgress) => void;
  progressIntervalMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Bytes taken from an earlier `.partial` instead of being downloaded again. */
  resumedFromBytes: number;
  /** True when `dest` already held the right file and nothing was fetched. */
  alreadyPresent: boolean;
}

/**
 * Downloads `url` to `dest`, resuming `dest + '.partial'` when one exists. A failed transfer keeps the partial
 * file for the next call; a wrong sha256 deletes it. Errors name the file and host, never the URL's path or query.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const { dest } = options;
  const file = basename(dest);
  const expected = parseSha256(options.sha256, file);
  const partial = `${dest}.partial`;

  const existing = await sizeOf(dest);
  if (existing !== undefined && (options.size === undefined || existing === options.size)) {
    if ((await sha256OfFile(dest, undefined, options.signal)) === expected) {
      return { path: dest, bytes: existing, resumedFromBytes: 0, alreadyPresent: true };
    }
  }

  let offset = (await sizeOf(partial)) ?? 0;
  if (options.size !== undefined && offset > options.size) {
    await rm(partial, { force: true });
    offset = 0;
  }
  const resumedFromBytes = offset;
  const transfer = await fetchFrom(options, offset, file);
  let handle: FileHandle | undefined;
  try {
    // A server that ignores Range answers 200 with the whole file: start over.
    if (transfer.restart) offset = 0;
    handle = await open(partial, offset === 0 ? 'w' : 'a');
    const hash = createHash('sha256');
    if (offset > 0) await hashFileInto(hash, partial, undefined, options.signal);
    const bytes = transfer.response ? await receive(transfer.response, handle, hash, offset, transfer.totalBytes, options, file) : offset;
    await handle.sync();
    await handle.close();
    handle = undefined;

    const actual = hash.digest('hex');
    if (actual !== expected) {
      await rm(partial, { force: true });
      throw new SenseError('BAD_INPUT', `${file} failed its checksum: downloaded sha256 ${actual}, expected ${expected}; the partial file was deleted`);
    }
    await rename(partial, dest);
    options.onProgress?.({ receivedBytes: bytes, totalBytes: bytes });
    return { path: dest, bytes, resumedFromBytes: transfer.restart ? 0 : resumedFromBytes, alreadyPresent: false };
  } finally {
    await handle?.close().catch(() => {});
  }
}

interface Transfer {
  /** Undefined when the partial file is already complete (HTTP 416 for its length). */
  response: Response | undefined;
  restart: boolean;
  totalBytes: number | undefined;
}

async function fetchFrom(options: DownloadOptions, offset: number, file: string): Promise<Transfer> {
  const host = hostOf(options.url);
  let response: Response;
  try {
    response = await fetch(options.url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
      signal: options.signal,
      redirect: 'follow',
    });
  } catch (error: unknown) {
    throw transferError(error, file, host, options.signal);
  }
  if (response.status === 416 && offset > 0) {
    await response.body?.cancel();
    // Nothing left past our offset: the partial file is complete (its checksum decides).
    return { response: undefined, restart: false, totalBytes: offset };
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw new SenseError(
      response.status === 404 || response.status === 410 ? 'NOT_FOUND' : 'BAD_INPUT',
      `downloading ${file} from ${host} failed: HTTP ${response.status}`,
    );
  }
  let restart = response.status === 200;
  let totalBytes: number | undefined;
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset) {
      await response.body?.cancel();
      throw new SenseError('BAD_INPUT', `downloading ${file} from ${host} failed: the server resumed at the wrong place`);
    }
    totalBytes = range[3] === '*' ? undefined : Number(range[3]);
  } else {
    const length = response.headers.get('content-length');
    totalBytes = length === null ? undefined : Number(length);
    restart = true;
  }
  if (options.size !== undefined && totalBytes !== undefined && totalBytes !== options.size) {
    await response.body?.cancel();
    throw new SenseError('BAD_INPUT', `downloading ${file} from ${host}: the server offers ${totalBytes} bytes, expected ${options.size}`);
  }
  return { response, restart, totalBytes };
}

async function receive(
  response: Response,
  handle: FileHandle,
  hash: Hash,
  offset: number,
  totalBytes: number | undefined,
  options: DownloadOptions,
  file: string,
): Promise<number> {
  const interval = options.progressIntervalMs ?? 250;
  let received = offset;
  let lastReport = 0;
  if (!response.body) return received;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (options.size !== undefined && received + chunk.length > options.size) {
        throw new SenseError('BAD_INPUT', `downloading ${file}: the server sent more than the expected ${options.size} bytes`);
      }
      hash.update(chunk);
      let written = 0;
      while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
      received += chunk.length;
      const now = Date.now();
      if (options.onProgress && now - lastReport >= interval) {
        lastReport = now;
        options.onProgress({ receivedBytes: received, totalBytes });
      }
    }
  } catch (error: unknown) {
    if (error instanceof SenseError) throw error;
    throw transferError(error, file, hostOf(options.url), options.signal, received);
  }
  if (totalBytes !== undefined && received !== totalBytes) {
    throw new SenseError('BAD_INPUT', `downloading ${file} stopped after ${received} of ${totalBytes} bytes; run it again to resume`);
  }
  return received;
}

function transferError(error: unknown, file: string, host: string, signal: AbortSignal | undefined, received?: number): SenseError {
  if (signal?.aborted) return new SenseError('CANCELLED', `downloading ${file} was cancelled${received ? `; ${received} bytes kept to resume` : ''}`);
  // The cause may quote the URL (and a signed URL's token), so only its error code travels on.
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const where = received === undefined ? '' : ` after ${received} bytes; run it again to resume`;
  return new SenseError('BAD_INPUT', `downloading ${file} from ${host} failed${code ? ` (${code})` : ''}${where}`);
}

function parseSha256(value: string, file: string): string {
  const match = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match) throw new SenseError('BAD_INPUT', `the expected sha256 of ${file} is not 64 hex digits`);
  return match[1]!.toLowerCase();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    throw new SenseError('BAD_INPUT', 'the download URL is not a valid URL');
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (info) => info.size,
    () => undefined,
  );
}
