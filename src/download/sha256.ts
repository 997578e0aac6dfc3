import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { SenseError } from '../errors.js';

/** Hex sha256 of a file, streamed; `onBytes` reports progress in bytes hashed so far. */
export async function sha256OfFile(path: string, onBytes?: (bytes: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await hashFileInto(hash, path, onBytes, signal);
  return hash.digest('hex');
}

export async function hashFileInto(hash: Hash, path: string, onBytes?: (bytes: number) => void, signal?: AbortSignal): Promise<number> {
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024, signal })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      onBytes?.(bytes);
    }
  } catch (error: unknown) {
    if (signal?.aborted) throw new SenseError('CANCELLED', `checking ${basename(path)} was cancelled`);
    throw error;
  }
  return bytes;
}
