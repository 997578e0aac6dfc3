// The sidecar's own API key: API_KEY from the environment, or DATA_DIR/api-key, created on first start.
// The key is never logged, returned or put in an error; only where to find it is.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';

/** A contract other tools code against: DATA_DIR/api-key holds the key (one line, mode 0600). */
export const API_KEY_FILE = 'api-key';

/** 32 random bytes as hex: 256 bits, and nothing a shell or a header needs quoted. */
const GENERATED_KEY_BYTES = 32;
const MIN_KEY_LENGTH = 16;

export type ApiKeySource = { kind: 'env' } | { kind: 'file'; file: string; created: boolean };

export interface LoadedApiKey {
  key: string;
  source: ApiKeySource;
}

/**
 * API_KEY wins when set. Otherwise the key file is read, or created when it does not exist yet (exclusively, so
 * two starts never write two keys). A file that exists but holds no usable key stops start-up: replacing it would
 * lock out every client already set up with the old key.
 */
export async function loadApiKey(options: { dataDir: string; apiKey: string | null }, logger: Logger): Promise<LoadedApiKey> {
  if (options.apiKey) return { key: options.apiKey, source: { kind: 'env' } };
  const file = join(options.dataDir, API_KEY_FILE);
  const existing = await readKeyFile(file, logger);
  if (existing !== undefined) return { key: existing, source: { kind: 'file', file, created: false } };
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(GENERATED_KEY_BYTES).toString('hex');
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SenseError('INTERNAL', `Could not create the API key file ${file}: ${(error as Error).message}. Make DATA_DIR writable or set API_KEY`, { cause: error });
    }
    // Another process created it between our read and write: use theirs.
    const raced = await readKeyFile(file, logger);
    if (raced !== undefined) return { key: raced, source: { kind: 'file', file, created: false } };
  }
  return { key, source: { kind: 'file', file, created: true } };
}

async function readKeyFile(file: string, logger: Logger): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SenseError('INTERNAL', `Could not read the API key file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const key = text.trim();
  if (key.length < MIN_KEY_LENGTH || /\s/.test(key)) {
    throw new SenseError(
      'BAD_INPUT',
      `The API key file ${file} does not hold a key (empty, shorter than ${MIN_KEY_LENGTH} characters, or more than one word). ` +
        'Put your key back in it, or move the file away to have a new key generated on the next start.',
    );
  }
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) logger.warn('the API key file can be read by other users; chmod 600 it', { file, mode: mode.toString(8) });
  return key;
}
