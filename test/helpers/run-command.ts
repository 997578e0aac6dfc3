import { PassThrough } from 'node:stream';
import type { Command, CommandContext } from '../../src/cli/command.js';
import { checkDataDir } from '../../src/cli/data-dir.js';
import type { Config, Env } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

export interface CommandRun {
  stdout: string;
  stderr: string;
  /** What the command threw (main.ts would turn it into an exit code), or undefined. */
  error: unknown;
}

/** Runs a CLI command in this process, as src/cli/main.ts would, capturing what it prints. */
export async function runCommand(command: Command, args: string[], env: Env, config: Config): Promise<CommandRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const context: CommandContext = {
    args,
    env,
    config,
    logger: silentLogger,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    signal: new AbortController().signal,
    checkDataDir: () => checkDataDir(config.paths.dataDir, 'create', 'DATA_DIR'),
  };
  let error: unknown;
  try {
    await command(context);
  } catch (caught: unknown) {
    error = caught;
  }
  return { stdout: out.join(''), stderr: err.join(''), error };
}
