import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { SenseError, errorMessage } from '../errors.js';
import type { NewPerformer, StashId } from '../faces/index.js';

export interface PerformerFolder {
  folder: string;
  performer: NewPerformer;
  photos: string[];
}

const photoExtensions = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** One sub-folder per performer: the folder name is the name unless `performer.json` says otherwise. */
export async function readEnrollmentFolder(dir: string): Promise<PerformerFolder[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error: unknown) {
    throw new SenseError('BAD_INPUT', `Cannot read enrolment folder ${dir}: ${errorMessage(error)}`);
  }
  const folders: PerformerFolder[] = [];
  for (const entry of entries.filter((item) => item.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = join(dir, entry.name);
    const files = await regularFiles(folder);
    const photos = files
      .filter((file) => photoExtensions.has(extname(file.name).toLowerCase()))
      .map((file) => join(folder, file.name))
      .sort();
    const hasJson = files.some((file) => file.name === 'performer.json');
    const performer = hasJson ? await readPerformerJson(join(folder, 'performer.json'), entry.name) : { name: entry.name };
    folders.push({ folder, performer, photos });
  }
  if (!folders.some((item) => item.photos.length > 0)) throw new SenseError('BAD_INPUT', layoutProblem(dir, entries));
  return folders;
}

/** An empty or flat folder would "succeed" with 0 faces; say what layout enrolment expects instead. */
function layoutProblem(dir: string, entries: { name: string; isFile(): boolean }[]): string {
  const loose = entries.filter((entry) => entry.isFile() && photoExtensions.has(extname(entry.name).toLowerCase())).length;
  const found = loose > 0 ? `it holds ${loose} photo(s) directly, not in per-performer folders` : 'it has no sub-folder with photos';
  return (
    `Nothing to enrol in ${dir}: ${found}. Put each performer's photos in a folder named after them, ` +
    `e.g. ${join(dir, 'Jane Doe', '1.jpg')} and ${join(dir, 'John Roe', 'a.png')} (.jpg, .jpeg, .png, .webp).`
  );
}

/** Regular files, following symbolic links (a photo library is often a tree of links). */
async function regularFiles(folder: string): Promise<{ name: string }[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const checked = await Promise.all(
    entries.map(async (entry) => (entry.isFile() || (entry.isSymbolicLink() && (await stat(join(folder, entry.name)).catch(() => undefined))?.isFile()) ? entry : undefined)),
  );
  return checked.filter((entry) => entry !== undefined);
}

async function readPerformerJson(path: string, folderName: string): Promise<NewPerformer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error: unknown) {
    throw new SenseError('BAD_INPUT', `${path} is not valid JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SenseError('BAD_INPUT', `${path} must hold a JSON object`);
  const record = parsed as Record<string, unknown>;
  const name = record.name ?? folderName;
  if (typeof name !== 'string' || name.trim() === '') throw new SenseError('BAD_INPUT', `${path}: name must be a non-empty string`);
  const aliases = record.aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((alias) => typeof alias === 'string')) {
    throw new SenseError('BAD_INPUT', `${path}: aliases must be a list of strings`);
  }
  return { name: name.trim(), aliases, stashIds: readStashIds(record.stash_ids ?? record.stashIds ?? [], path) };
}

function readStashIds(value: unknown, path: string): StashId[] {
  if (!Array.isArray(value)) throw new SenseError('BAD_INPUT', `${path}: stash_ids must be a list of {endpoint, stash_id}`);
  return value.map((item: unknown) => {
    const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const endpoint = record.endpoint;
    const stashId = record.stash_id ?? record.stashId;
    if (typeof endpoint !== 'string' || typeof stashId !== 'string' || !endpoint || !stashId) {
      throw new SenseError('BAD_INPUT', `${path}: each stash_ids entry needs endpoint and stash_id strings`);
    }
    return { endpoint, stashId };
  });
}
