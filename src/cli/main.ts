// The process entry: the only module that reads process.env and sets the exit code.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { isSenseError } from '../errors.js';
import { createLogger } from '../logger.js';
import { appVersion } from '../version.js';
import type { Command } from './command.js';
import { checkDataDir, type DataDirNeed } from './data-dir.js';

interface CommandEntry {
  summary: string;
  /** identify reads an existing database; models and help need none; the rest create DATA_DIR if missing. */
  dataDir: DataDirNeed;
  load: () => Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  serve: { summary: 'run the service (GraphQL on PORT, default 5000)', dataDir: 'create', load: async () => (await import('./commands/serve.js')).serve },
  enroll: { summary: 'enroll DIR: add performers from one folder per performer', dataDir: 'create', load: async () => (await import('./commands/enroll.js')).enroll },
  identify: { summary: 'identify FILE...: find the faces in images and who they are', dataDir: 'existing', load: async () => (await import('./commands/identify.js')).identify },
  models: { summary: 'models fetch [--profile P]: download and check model files', dataDir: 'none', load: async () => (await import('./commands/models.js')).models },
  'import-upstream': { summary: "import-upstream DIR: use the Python stash-sense sidecar's face database release", dataDir: 'create', load: async () => (await import('./commands/import-upstream.js')).importUpstream },
  'rebuild-body-references': { summary: "measure enrolled photos again and rebuild performers' body references", dataDir: 'existing', load: async () => (await import('./commands/rebuild-body-references.js')).rebuildBodyReferences },
  faces: { summary: 'faces list|show|rename|aliases|stash-ids|delete|delete-face|merge|compact: look after the face database', dataDir: 'existing', load: async () => (await import('./commands/faces.js')).faces },
  state: { summary: 'state init: an empty stash_sense.db beside an existing face database (after it was lost)', dataDir: 'existing', load: async () => (await import('./commands/state.js')).state },
  'tag-back': { summary: 'identify many Stash scenes and add the performers it is sure of', dataDir: 'create', load: async () => (await import('./commands/tag-back.js')).tagBack },
};

const usage = `Usage: stash-sense <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, { summary }]) => `  ${name.padEnd(16)} ${summary}`)
  .join('\n')}

Every command takes --data-dir DIR (default DATA_DIR or ./data).
Run 'stash-sense help <command>' (or 'stash-sense <command> --help') for a command's options,
'stash-sense --version' for the version.
`;

/**
 * onnxruntime's Linux build starts Microsoft's 1DS telemetry when its environment is created, and that reads
 * /proc/self/cmdline through a recursive std::regex: about 30 kB of arguments (`identify` with a few hundred
 * paths) overflow the 8 MB main stack and the process dies with SIGSEGV. We send nothing anywhere either, so
 * telemetry is off unless the user turned it on explicitly. Set before any command loads onnxruntime.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

/** A mistake in how the command was typed: one line, the help hint, exit code 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`stash-sense ${appVersion}\n`);
    return 0;
  }
  if (name === 'help' && rest.length > 0) {
    const [topic, ...extra] = rest;
    if (extra.length > 0 || !topic || !commands[topic]) throw new UsageError(`help takes one command name (${Object.keys(commands).join(', ')}), got "${rest.join(' ')}"`);
    name = topic;
    rest = ['--help'];
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    if (name.startsWith('-')) throw new UsageError(`"${name}" is not a command; the command comes first (stash-sense <command> [options])`);
    throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`);
  }
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: false, allowPositionals: true });
  const dataDirOption = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
  const config = loadConfig(process.env, { dataDir: dataDirOption });
  const logger = createLogger({ level: config.logLevel });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const run = await command.load();
  try {
    await run({
      args: rest, env: process.env, config, logger, stdout: process.stdout, stderr: process.stderr, signal: controller.signal,
      checkDataDir: () => checkDataDir(config.paths.dataDir, command.dataDir, dataDirOption === undefined ? 'DATA_DIR' : '--data-dir'),
    });
  } catch (error: unknown) {
    if (isParseArgsError(error)) throw new UsageError(`${name}: ${describeParseError(error)} (see 'stash-sense help ${name}')`);
    throw error;
  }
  return 0;
}

/** node:util parseArgs (strict) reports an unknown option or a missing value as a TypeError with one of these codes. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).code!.startsWith('ERR_PARSE_ARGS_');
}

/** parseArgs' messages run over several lines and suggest `--`; one plain line says the same. */
function describeParseError(error: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const ambiguous = /Option '([^' ]+)[^']*' argument is ambiguous/.exec(error.message);
  if (ambiguous) return `${ambiguous[1]} is missing its value (a value starting with "-" is written ${ambiguous[1]}=-1)`;
  return error.message.split('\n')[0]!.trim();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`stash-sense: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else if (isSenseError(error)) {
      process.stderr.write(`stash-sense: ${error.message}\n`);
      process.exitCode = error.code === 'BAD_INPUT' ? 2 : 1;
    } else {
      process.stderr.write(`stash-sense: unexpected error\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    }
  },
);
