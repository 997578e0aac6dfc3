import type { Config, Env } from '../config.js';
import type { Logger } from '../logger.js';

/** What every command receives: its parsed arguments and the process's surroundings, passed in. */
export interface CommandContext {
  args: string[];
  env: Env;
  config: Config;
  logger: Logger;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /**
   * Checks the data folder as this command needs it (a file there, or a missing one for a command that only
   * reads, is a start-up error naming DATA_DIR or --data-dir). Called after the arguments are parsed, so a
   * typo in an option is reported first.
   */
  checkDataDir(): Promise<void>;
}

export type Command = (context: CommandContext) => Promise<void>;
