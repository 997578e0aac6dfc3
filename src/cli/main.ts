// The process entry: the only module that reads process.env and sets the exit code.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { isSenseError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { Command } from './command.js';

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'run the service (GraphQL on PORT, default 5000)', load: async () => (await import('./commands/serve.js')).serve },
  enroll: { summary: 'enroll DIR: add performers from one folder per performer', load: async () => (await import('./commands/enroll.js')).enroll },
  identify: { summary: 'identify FILE...: find the faces in images and who they are', load: async () => (await import('./commands/identify.js')).identify },
  models: { summary: 'models fetch [--profile P]: download and check model files', load: async () => (await import('./commands/models.js')).models },
  'import-upstream': { summary: "import-upstream DIR: use the Python stash-sense sidecar's face database release", load: async () => (await import('./commands/import-upstream.js')).importUpstream },
  'rebuild-body-references': { summary: "measure enrolled photos again and rebuild performers' body references", load: async () => (await import('./commands/rebuild-body-references.js')).rebuildBodyReferences },
  faces: { summary: 'faces list|show|rename|aliases|stash-ids|delete|delete-face|merge|compact: look after the face database', load: async () => (await import('./commands/faces.js')).faces },
  'tag-back': { summary: 'identify many Stash scenes and add the performers it is sure of', load: async () => (await import('./commands/tag-back.js')).tagBack },
};

const usage = `Usage: stash-sense <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, { summary }]) => `  ${name.padEnd(16)} ${summary}`)
  .join('\n')}

Every command takes --data-dir DIR (default DATA_DIR or ./data).
Run 'stash-sense <command> --help' for a command's options.
`;

/**
 * onnxruntime's Linux build starts Microsoft's 1DS telemetry when its environment is created, and that reads
 * /proc/self/cmdline through a recursive std::regex: about 30 kB of arguments (`identify` with a few hundred
 * paths) overflow the 8 MB main stack and the process dies with SIGSEGV. We send nothing anywhere either, so
 * telemetry is off unless the user turned it on explicitly. Set before any command loads onnxruntime.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: false, allowPositionals: true });
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
  const config = loadConfig(process.env, { dataDir });
  const logger = createLogger({ level: config.logLevel });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const run = await command.load();
  await run({ args: rest, env: process.env, config, logger, stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
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
