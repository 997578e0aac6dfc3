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
}

export type Command = (context: CommandContext) => Promise<void>;
