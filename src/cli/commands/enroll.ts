import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openApp } from '../../app.js';
import type { EnrollSummary, StashEnrollSummary } from '../../enroll/index.js';
import { SenseError } from '../../errors.js';
import type { Command } from '../command.js';
import { createProgressBar } from '../progress.js';
import { findRunningService, runJobThroughService } from '../service-client.js';

const help = `Usage: stash-sense enroll DIR [--data-dir DIR]
       stash-sense enroll --from-stash [--data-dir DIR]

DIR holds one folder per performer; the folder's name is the performer's name. An optional
performer.json in a folder sets {"name", "aliases": [...], "stash_ids": [{"endpoint", "stash_id"}]}.
Photos without a confident face are skipped with a reason; a photo with several faces uses the
largest confident one. Photos already enrolled (same content) are not added again.

--from-stash enrols your Stash performers' images instead (needs STASH_URL and STASH_API_KEY),
keeping their stash-box IDs and aliases; performers without a confident face are listed.

When the service runs on this data folder (in Docker it always does), the enrolment runs there as a job (key
from API_KEY or DATA_DIR/api-key) and this command follows its progress; the service answers with the new
performers at once. --url URL names the service when it is not at HOST:PORT (it must see DIR at the same path).
`;

/** The service follows the database on disk (src/faces/live-database.ts); say so, so nobody restarts it. */
const RUNNING_SERVICE_NOTE = 'A Stash Sense service running on this data dir picks this version up within a few seconds; no restart needed.\n';

export const enroll: Command = async ({ args, env, config, logger, stdout, stderr, signal, checkDataDir }) => {
  const { values, positionals } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, 'from-stash': { type: 'boolean' }, url: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help) {
    stdout.write(help);
    return;
  }
  if (values['from-stash']) {
    if (positionals.length > 0) throw new SenseError('BAD_INPUT', `enroll --from-stash takes no folder\n\n${help}`);
    await checkDataDir();
    const service = await findRunningService({ config, env, url: values.url });
    if (service) {
      const summary = await runJobThroughService<StashEnrollSummary>(
        service,
        { call: 'startEnrollFromStash' },
        { title: 'enrolling from stash', stderr, signal, createBar: createProgressBar },
      );
      stdout.write(formatStashSummary(summary));
      return;
    }
    const app = await openApp(config, logger);
    try {
      const bar = createProgressBar(stderr, 'enrolling from stash');
      const summary = await app.services.enroll.enrollFromStash({ signal, onProgress: ({ done, total, current }) => bar.update(done, total, current) });
      bar.finish();
      stdout.write(`${formatStashSummary(summary)}${RUNNING_SERVICE_NOTE}`);
    } finally {
      await app.close();
    }
    return;
  }
  const [dir, ...extra] = positionals;
  if (!dir || extra.length > 0) throw new SenseError('BAD_INPUT', `enroll takes one folder\n\n${help}`);
  await checkDataDir();
  const service = await findRunningService({ config, env, url: values.url });
  if (service) {
    const summary = await runJobThroughService<EnrollSummary>(
      service,
      { declare: '($dir: String!)', call: 'startEnrollFolder(dir: $dir)', variables: { dir: resolve(dir) } },
      { title: 'enrolling', stderr, signal, createBar: createProgressBar },
    );
    stdout.write(formatFolderSummary(summary));
    return;
  }
  const app = await openApp(config, logger);
  try {
    const bar = createProgressBar(stderr, 'enrolling');
    const summary = await app.services.enroll.enrollFolder(dir, { signal, onProgress: ({ done, total, current }) => bar.update(done, total, current) });
    bar.finish();
    stdout.write(`${formatFolderSummary(summary)}${RUNNING_SERVICE_NOTE}`);
  } finally {
    await app.close();
  }
};

function formatStashSummary(summary: StashEnrollSummary): string {
  const lines = summary.skipped.map((skip) => `skipped ${skip.name} (performer ${skip.performerId}): ${skip.reason}\n`);
  lines.push(
    `Enrolled ${summary.facesAdded} new face(s) from ${summary.performers} Stash performer(s): ${summary.performersAdded} new performer(s), ` +
      `${summary.alreadyEnrolled} already enrolled, ${summary.skipped.length} skipped.\nFace database version ${summary.databaseVersion}.\n`,
  );
  return lines.join('');
}

function formatFolderSummary(summary: EnrollSummary): string {
  const lines = summary.skipped.map((skip) => `skipped ${skip.file}: ${skip.reason}\n`);
  lines.push(
    `Enrolled ${summary.facesAdded} new face(s) for ${summary.performers} performer(s) from ${summary.photos} photo(s): ` +
      `${summary.performersAdded} new performer(s), ${summary.alreadyEnrolled} already enrolled, ${summary.skipped.length} skipped.\n` +
      `Face database version ${summary.databaseVersion}.\n`,
  );
  return lines.join('');
}
