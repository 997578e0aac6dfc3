import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SenseError } from '../../errors.js';
import { FACE_DATABASE_FILE } from '../../faces/index.js';
import { openStateDatabase } from '../../state/index.js';
import { createImportService, type ImportProgress, type ImportUpstreamResult } from '../../upstream/index.js';
import type { Command } from '../command.js';
import { createProgressBar, type ProgressBar } from '../progress.js';
import { findRunningService, runJobThroughService } from '../service-client.js';

const help = `Usage: stash-sense import-upstream DIR [--data-dir DIR]

Replaces the face database in the data folder with a release of the Python stash-sense sidecar's database
(manifest.json, faces.json, performers.json, face_facenet.voy, face_arcface.voy and, when present,
performers.db), keeping its face ids and every stash-box ID it knows. The release's checksums and counts are
checked first: a release that fails them is refused and the current database stays as it is. Needs
MODEL_PROFILE=stash-sense, whose models search these embeddings. When the service runs on this data folder,
the import runs there as a job (key from API_KEY or DATA_DIR/api-key; --url URL names a service elsewhere,
which must see DIR at the same path), this command follows its progress, and the service switches to the new
database when it is installed.
`;

const stepTitles: Record<ImportProgress['step'], string> = {
  checksums: 'checking sha256',
  'read-performers': 'reading performers',
  convert: 'converting index',
  performers: 'writing performers',
  faces: 'writing faces',
  install: 'installing',
};

export const importUpstream: Command = async ({ args, env, config, logger, stdout, stderr, signal, checkDataDir }) => {
  const { values, positionals } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, url: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  if (values.help) {
    stdout.write(help);
    return;
  }
  const [dir, ...extra] = positionals;
  if (!dir || extra.length > 0) throw new SenseError('BAD_INPUT', `import-upstream takes one folder\n\n${help}`);
  await checkDataDir();
  const running = await findRunningService({ config, env, url: values.url });
  if (running) {
    const result = await runJobThroughService<ImportUpstreamResult>(
      running,
      { declare: '($dir: String!)', call: 'startUpstreamImport(dir: $dir)', variables: { dir: resolve(dir) } },
      { title: 'importing', stderr, signal, createBar: createProgressBar },
    );
    stdout.write(formatResult(result, config.paths.dataDir));
    return;
  }
  // A new data folder gets its state database with the face database, so the pair starts complete (a missing
  // stash_sense.db beside an existing face database stops the service).
  if (!existsSync(join(config.paths.dataDir, FACE_DATABASE_FILE))) await (await openStateDatabase(config.paths.dataDir, logger.child('state'))).close();
  const service = createImportService({
    dataDir: config.paths.dataDir,
    profile: config.vision.profile,
    // The operator at the shell may name any folder; the mutation is the one held to IMPORT_DIR.
    importRoot: null,
    logger: logger.child('import'),
    // Nothing is open in this process; a service started later opens the installed database.
    reopen: async () => {},
  });

  let bar: ProgressBar | undefined;
  let barKey = '';
  const result = await service.importRelease(dir, {
    signal,
    onProgress: (progress) => {
      const key = progress.step === 'convert' ? `${progress.step}:${progress.model}` : progress.step;
      if (key !== barKey) {
        bar?.finish();
        const title = progress.step === 'convert' ? `${stepTitles.convert} ${progress.model}` : stepTitles[progress.step];
        bar = createProgressBar(stderr, title);
        barKey = key;
      }
      // Byte counts (checksums) read better in MB.
      const scale = progress.step === 'checksums' ? 1e6 : 1;
      bar!.update(Math.round(progress.done / scale), Math.round(progress.total / scale), progress.step === 'checksums' ? `MB ${progress.file}` : '');
    },
  });
  bar?.finish();
  stdout.write(formatResult(result, config.paths.dataDir));
};

function formatResult(result: ImportUpstreamResult, dataDir: string): string {
  return (
    `Imported upstream release ${result.upstreamVersion}: ${result.performerCount} performer(s), ${result.faceCount} face(s)` +
    `${result.skippedFaces > 0 ? `, ${result.skippedFaces} face(s) without a performer left out` : ''} in ${(result.durationMs / 1000).toFixed(1)} s.\n` +
    `Face database version ${result.version} in ${dataDir}.\n`
  );
}
