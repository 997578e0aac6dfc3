import { parseArgs } from 'node:util';
import { openApp } from '../../app.js';
import { SenseError } from '../../errors.js';
import type { Command } from '../command.js';
import { createProgressBar } from '../progress.js';

const help = `Usage: stash-sense rebuild-body-references [--data-dir DIR]

Measures the body (shoulder-width / hip-width ratio) in every enrolled photo again and rebuilds each
performer's body reference (the median over their photos that show the body), e.g. for a face database
built before the body signal existed. Photos are read from where they were enrolled: the files of a
folder enrolment, and the Stash performer images of 'enroll --from-stash' (needs STASH_URL and
STASH_API_KEY). A photo that is gone or changed since enrolment is skipped and counted. An imported
upstream database has no photos here, so it gets no references. Needs ENABLE_BODY_SIGNAL on (the default).
`;

export const rebuildBodyReferences: Command = async ({ args, config, logger, stdout, stderr, signal }) => {
  const { values, positionals } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  if (values.help) {
    stdout.write(help);
    return;
  }
  if (positionals.length > 0) throw new SenseError('BAD_INPUT', `rebuild-body-references takes no arguments\n\n${help}`);
  if (!config.signals.body) throw new SenseError('BAD_INPUT', 'The body signal is off (ENABLE_BODY_SIGNAL=false); turn it on to rebuild body references');
  const app = await openApp(config, logger);
  try {
    const bar = createProgressBar(stderr, 'measuring bodies');
    const summary = await app.services.enroll.rebuildBodyReferences({ signal, onProgress: ({ done, total, current }) => bar.update(done, total, current) });
    bar.finish();
    for (const { reason, count } of summary.unreadable) stdout.write(`skipped ${count} photo(s): ${reason}\n`);
    stdout.write(
      `Read ${summary.photosRead} of ${summary.faces} enrolled photo(s); ${summary.measured} showed the body. ` +
        `${summary.performersWithReference} of ${summary.performers} performer(s) have a body reference.\n` +
        `Face database version ${summary.databaseVersion}.\n`,
    );
  } finally {
    await app.close();
  }
};
