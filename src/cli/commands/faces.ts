import { parseArgs } from 'node:util';
import { openFaceManagement } from '../../app.js';
import { SenseError } from '../../errors.js';
import type { FaceManagementService, FaceRecord, PerformerRecord, StashId } from '../../faces/index.js';
import type { Command } from '../command.js';

const help = `Usage: stash-sense faces <action> [--data-dir DIR]

Look after the face database (a running service picks every change up within a few seconds):
  list [--search TEXT] [--limit N] [--offset N]   performers by name; TEXT matches a part of a name or alias
  show PERFORMER_ID                                a performer and each face: id, where it came from, score
  rename PERFORMER_ID NAME
  aliases PERFORMER_ID [ALIAS...]                  replace the aliases (none: remove them all)
  stash-ids PERFORMER_ID [ENDPOINT=ID...]          replace the stash-box IDs, e.g. https://stashdb.org/graphql=<uuid>
  delete PERFORMER_ID                              the performer and all their faces
  delete-face FACE_ID                              one face (e.g. the wrong person from a group photo)
  merge FROM_ID INTO_ID                            move FROM's faces, name, aliases and IDs to INTO; remove FROM
  compact                                          write pending changes into new index files now
Add --json to list and show for JSON output.
`;

type Action = (faces: FaceManagementService, args: string[], json: boolean) => Promise<string>;

const actions: Record<string, { arity: [number, number]; run: Action }> = {
  show: {
    arity: [1, 1],
    async run(faces, [id], json) {
      const performer = faces.performer(id!);
      if (!performer) throw new SenseError('NOT_FOUND', `performer ${id} is not in the face database`);
      const list = faces.faces(performer.id);
      if (json) return JSON.stringify({ ...performer, faces: list }, null, 2);
      return [describePerformer(performer), ...list.map(describeFace)].join('\n');
    },
  },
  rename: {
    arity: [2, 2],
    run: async (faces, [id, name]) => `Renamed: ${describePerformer(await faces.editPerformer(id!, { name: name! }))}`,
  },
  aliases: {
    arity: [1, Infinity],
    run: async (faces, [id, ...aliases]) => `Aliases set: ${describePerformer(await faces.editPerformer(id!, { aliases }))}`,
  },
  'stash-ids': {
    arity: [1, Infinity],
    run: async (faces, [id, ...pairs]) => `Stash-box IDs set: ${describePerformer(await faces.editPerformer(id!, { stashIds: pairs.map(parseStashId) }))}`,
  },
  delete: {
    arity: [1, 1],
    async run(faces, [id]) {
      const change = await faces.deletePerformer(id!);
      return `Deleted performer ${id} and ${change.facesDeleted} face(s). Face database version ${change.database.version}.`;
    },
  },
  'delete-face': {
    arity: [1, 1],
    async run(faces, [id]) {
      const change = await faces.deleteFace(id!);
      return `Deleted face ${id}. Face database version ${change.database.version}.`;
    },
  },
  merge: {
    arity: [2, 2],
    run: async (faces, [from, into]) => `Merged ${from} into: ${describePerformer(await faces.mergePerformers(from!, into!))}`,
  },
  compact: {
    arity: [0, 0],
    async run(faces) {
      const pending = faces.info().pendingChanges;
      const info = await faces.compact();
      return pending === 0 ? 'Nothing to compact.' : `Compacted ${pending} change(s) into new index files (${info.faceCount} faces).`;
    },
  },
};

export const faces: Command = async ({ args, config, logger, stdout }) => {
  const { values, positionals } = parseOptions(args);
  if (values.help) {
    stdout.write(help);
    return;
  }
  const [name, ...rest] = positionals;
  const listing = name === 'list';
  const action = name === undefined || listing ? undefined : actions[name];
  if (!listing && !action) throw new SenseError('BAD_INPUT', `${name ? `unknown faces action "${name}"` : 'faces needs an action'}\n\n${help}`);
  if (action && (rest.length < action.arity[0] || rest.length > action.arity[1])) throw new SenseError('BAD_INPUT', `wrong number of arguments for faces ${name}\n\n${help}`);
  if (listing && rest.length > 0) throw new SenseError('BAD_INPUT', `faces list takes no arguments (use --search)\n\n${help}`);
  const limit = parseCount('--limit', values.limit, 50);
  const offset = parseCount('--offset', values.offset, 0);

  const tools = await openFaceManagement(config, logger);
  try {
    const output = listing ? list(tools.faces, values.search, limit, offset, values.json === true) : await action!.run(tools.faces, rest, values.json === true);
    stdout.write(`${output}\n`);
  } finally {
    await tools.close();
  }
};

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        search: { type: 'string' },
        limit: { type: 'string' },
        offset: { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error: unknown) {
    // node:util's own message names the option and what is wrong with it.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new SenseError('BAD_INPUT', `${error.message}\n\n${help}`);
    }
    throw error;
  }
}

function list(faces: FaceManagementService, search: string | undefined, first: number, offset: number, json: boolean): string {
  const page = faces.searchPerformers({ search, first, offset });
  if (json) return JSON.stringify(page, null, 2);
  const lines = page.performers.map(describePerformer);
  const shown = page.performers.length === 0 ? 'none' : `${offset + 1}-${offset + page.performers.length}`;
  return [...lines, `${page.total} performer(s)${search ? ` matching "${search}"` : ''}; showing ${shown}.`].join('\n');
}

function describePerformer(performer: PerformerRecord): string {
  const extra = [
    performer.aliases.length > 0 ? `aliases: ${performer.aliases.join(', ')}` : '',
    performer.stashIds.length > 0 ? `stash ids: ${performer.stashIds.map((id) => `${id.endpoint}=${id.stashId}`).join(', ')}` : '',
  ].filter(Boolean);
  return `${performer.id}  ${performer.name}  (${performer.faceCount} face(s))${extra.length > 0 ? `  ${extra.join('; ')}` : ''}`;
}

function describeFace(face: FaceRecord): string {
  const origin = face.originKind ?? 'unknown';
  const where = [face.sourcePath, face.originKind === 'stash' && face.originRef ? `Stash performer ${face.originRef}` : ''].filter(Boolean).join(', ');
  return `  face ${face.id}  ${origin}${where ? ` ${where}` : ''}  score ${face.score.toFixed(2)}  enrolled ${face.createdAt}`;
}

function parseStashId(pair: string): StashId {
  const split = pair.lastIndexOf('=');
  if (split <= 0 || split === pair.length - 1) throw new SenseError('BAD_INPUT', `"${pair}" is not ENDPOINT=ID (e.g. https://stashdb.org/graphql=<uuid>)`);
  return { endpoint: pair.slice(0, split), stashId: pair.slice(split + 1) };
}

function parseCount(option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new SenseError('BAD_INPUT', `${option} must be a whole number of 0 or more, not "${text}"`);
  return value;
}
