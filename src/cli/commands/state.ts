import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SenseError } from '../../errors.js';
import { STATE_DATABASE_FILE, openStateDatabase } from '../../state/index.js';
import type { Command } from '../command.js';

const help = `Usage: stash-sense state init [--data-dir DIR]

Creates an empty stash_sense.db (identifications, recommendations, jobs) beside an existing face database.
The service refuses to start when that file is missing from a data folder whose face database exists, since
the file was most likely lost or moved: restore it from a backup if you can. Run this only to start over with
no identifications, recommendations or jobs; the face database is not touched. An existing file is never
replaced.
`;

export const state: Command = async ({ args, config, logger, stdout, checkDataDir }) => {
  const { values, positionals } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    stdout.write(help);
    return;
  }
  if (positionals.length !== 1 || positionals[0] !== 'init') throw new SenseError('BAD_INPUT', `state takes one action: init\n\n${help}`);
  await checkDataDir();
  const file = join(config.paths.dataDir, STATE_DATABASE_FILE);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists) throw new SenseError('CONFLICT', `${file} already exists; nothing was changed`);
  const created = await openStateDatabase(config.paths.dataDir, logger.child('state'), { missing: 'create' });
  await created.close();
  stdout.write(`Created an empty ${file}.\n`);
};
