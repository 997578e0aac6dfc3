import { stat } from 'node:fs/promises';
import { ConfigError } from '../config.js';

/** What a command needs of the data folder before it runs. */
export type DataDirNeed = 'create' | 'existing' | 'none';

/**
 * Checks DATA_DIR (or --data-dir) before anything opens it: a file there is a mistake in the setting, and a
 * command that only reads (identify) must not create an empty database where a typo pointed it.
 */
export async function checkDataDir(path: string, need: DataDirNeed, setting: string): Promise<void> {
  if (need === 'none') return;
  const info = await stat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([`${setting}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  });
  if (info && !info.isDirectory()) throw new ConfigError([`${setting}: ${path} is a file, not a folder; point ${setting} at the folder that holds (or will hold) the face database`]);
  if (!info && need === 'existing') {
    throw new ConfigError([`${setting}: ${path} does not exist, so there is no face database to search; check the path, or build one first (stash-sense enroll, import-upstream)`]);
  }
}
