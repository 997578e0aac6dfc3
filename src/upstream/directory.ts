// An upstream release directory (reference/upstream-pipeline.md §2): everything is checked — manifest
// counts, index headers, sha256s — before the caller converts or writes anything.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseManifest, verifyChecksums, type UpstreamManifest } from './manifest.js';
import { readUpstreamPerformersDb, type UpstreamPerformersDb } from './performers-db.js';
import { domainOfEndpoint, parseUniversalId, type StashBoxId } from './stash-box.js';
import { convertVoyagerToHnsw, readVoyagerHeader, type ConvertedIndex } from './voyager-convert.js';
import type { VoyagerHeader } from './voyager-format.js';

export type UpstreamModel = 'facenet' | 'arcface';
export const UPSTREAM_MODELS: readonly UpstreamModel[] = ['facenet', 'arcface'];
const INDEX_FILES: Record<UpstreamModel, string> = { facenet: 'face_facenet.voy', arcface: 'face_arcface.voy' };

export interface UpstreamPerformer {
  /** Upstream's key, e.g. `stashdb.org:<uuid>`. */
  universalId: string;
  name: string;
  aliases: string[];
  /** Every stash-box id upstream knows for this performer, endpoint as a GraphQL URL. */
  stashIds: StashBoxId[];
  country: string | null;
  imageUrl: string | null;
}

export interface UpstreamFace {
  /** Upstream's face id: the label both .voy indices store its vectors under. */
  faceId: number;
  universalId: string;
  /** Shared by all faces of one performer. */
  performer: UpstreamPerformer;
}

export interface UpstreamIndexFile {
  model: UpstreamModel;
  path: string;
  header: VoyagerHeader;
}

export type UpstreamProgress =
  | { step: 'checksums'; file: string; done: number; total: number }
  | { step: 'read-performers'; done: number; total: number }
  | { step: 'convert'; model: UpstreamModel; done: number; total: number };

export interface OpenUpstreamOptions {
  signal?: AbortSignal;
  onProgress?: (progress: UpstreamProgress) => void;
}

export interface UpstreamDirectory {
  dir: string;
  manifest: UpstreamManifest;
  indexes: Record<UpstreamModel, UpstreamIndexFile>;
  /** By universal id; includes performers without faces listed in performers.json. */
  performers: ReadonlyMap<string, UpstreamPerformer>;
  /** Faces in id order; faces.json gaps (null) and unparsable ids are left out. */
  faces(): IterableIterator<UpstreamFace>;
  faceCount: number;
  /** Entries of faces.json that are null or not `<domain>:<id>`: their vectors belong to no one. */
  skippedFaceIds: number[];
  /**
   * Converts both indices into `outDir` as `upstream-<model>.hnsw` (float32, hnswlib-node loadable), with the
   * vectors of `skippedFaceIds` marked deleted so no search returns a face without a performer.
   */
  convertIndexes(outDir: string, options?: OpenUpstreamOptions): Promise<Record<UpstreamModel, ConvertedIndex>>;
}

/** Reads and checks a release directory. Reads only; nothing is written. */
export async function loadUpstreamDirectory(dir: string, options: OpenUpstreamOptions = {}, logger?: Logger): Promise<UpstreamDirectory> {
  const manifestText = await readRequired(dir, 'manifest.json');
  const manifest = parseManifest(manifestText);
  for (const file of ['faces.json', 'performers.json', ...Object.values(INDEX_FILES)]) await requireFile(dir, file);
  const hasPerformersDb = await exists(join(dir, 'performers.db'));

  const indexes = {} as Record<UpstreamModel, UpstreamIndexFile>;
  for (const model of UPSTREAM_MODELS) {
    const file = INDEX_FILES[model];
    const header = await readVoyagerHeader(join(dir, file));
    if (header.space !== 'cosine') throw new SenseError('BAD_INPUT', `${file} is not a cosine index, which upstream face indices are`);
    if (header.count !== manifest.faceCount) {
      throw new SenseError('BAD_INPUT', `${file} holds ${header.count} faces but manifest.json says ${manifest.faceCount}`);
    }
    const dims = model === 'facenet' ? manifest.facenetDims : manifest.arcfaceDims;
    if (dims !== undefined && dims !== header.dims) {
      throw new SenseError('BAD_INPUT', `${file} has ${header.dims} dimensions but manifest.json says ${dims}`);
    }
    indexes[model] = { model, path: join(dir, file), header };
  }

  const faceIds = parseFacesJson(await readRequired(dir, 'faces.json'));
  if (faceIds.length !== manifest.faceCount) {
    throw new SenseError('BAD_INPUT', `faces.json lists ${faceIds.length} faces but manifest.json says ${manifest.faceCount}`);
  }
  const performerEntries = parsePerformersJson(await readRequired(dir, 'performers.json'));
  if (performerEntries.size !== manifest.performerCount) {
    throw new SenseError('BAD_INPUT', `performers.json lists ${performerEntries.size} performers but manifest.json says ${manifest.performerCount}`);
  }

  await verifyChecksums(dir, manifest, [...Object.values(INDEX_FILES), ...(hasPerformersDb ? ['performers.db'] : [])], {
    signal: options.signal,
    onProgress: (progress) => options.onProgress?.({ step: 'checksums', file: progress.file, done: progress.doneBytes, total: progress.totalBytes }),
  });

  const db = hasPerformersDb ? readUpstreamPerformersDb(join(dir, 'performers.db')) : undefined;
  const performers = buildPerformers(performerEntries, faceIds, db, logger, (done, total) =>
    options.onProgress?.({ step: 'read-performers', done, total }),
  );

  const skippedFaceIds: number[] = [];
  faceIds.forEach((universalId, faceId) => {
    if (universalId === null || !performers.has(universalId)) skippedFaceIds.push(faceId);
  });
  if (skippedFaceIds.length > 0) logger?.warn('upstream faces without a performer', { count: skippedFaceIds.length });

  return {
    dir,
    manifest,
    indexes,
    performers,
    faceCount: faceIds.length - skippedFaceIds.length,
    skippedFaceIds,
    *faces() {
      for (let faceId = 0; faceId < faceIds.length; faceId++) {
        const universalId = faceIds[faceId];
        const performer = universalId ? performers.get(universalId) : undefined;
        if (universalId && performer) yield { faceId, universalId, performer };
      }
    },
    async convertIndexes(outDir, convertOptions = {}) {
      const converted = {} as Record<UpstreamModel, ConvertedIndex>;
      for (const model of UPSTREAM_MODELS) {
        const result = await convertVoyagerToHnsw(indexes[model].path, join(outDir, `upstream-${model}.hnsw`), {
          signal: convertOptions.signal,
          deleteLabels: new Set(skippedFaceIds),
          onProgress: (progress) => convertOptions.onProgress?.({ step: 'convert', model, ...progress }),
        });
        const stray = result.labels.find((label) => label >= faceIds.length);
        if (stray !== undefined) {
          throw new SenseError('BAD_INPUT', `${INDEX_FILES[model]} holds face id ${stray}, which faces.json (${faceIds.length} entries) does not list`);
        }
        converted[model] = result;
      }
      return converted;
    },
  };
}

interface PerformerEntry {
  name: string | null;
  country: string | null;
  imageUrl: string | null;
}

function buildPerformers(
  entries: Map<string, PerformerEntry>,
  faceIds: (string | null)[],
  db: UpstreamPerformersDb | undefined,
  logger: Logger | undefined,
  onProgress: (done: number, total: number) => void,
): Map<string, UpstreamPerformer> {
  const universalIds = new Set(entries.keys());
  for (const id of faceIds) if (id !== null) universalIds.add(id);
  const performers = new Map<string, UpstreamPerformer>();
  let unparsable = 0;
  let unnamed = 0;
  let done = 0;
  for (const universalId of universalIds) {
    if (++done % 10_000 === 0) onProgress(done, universalIds.size);
    const stashId = parseUniversalId(universalId);
    if (!stashId) {
      unparsable++;
      continue;
    }
    const entry = entries.get(universalId);
    const details = db?.find(domainOfEndpoint(universalId.slice(0, universalId.indexOf(':'))), stashId.stashId);
    const stashIds = details?.stashIds ?? [];
    if (!stashIds.some((id) => id.endpoint === stashId.endpoint && id.stashId === stashId.stashId)) stashIds.unshift(stashId);
    const name = entry?.name ?? details?.name;
    if (!name) unnamed++;
    performers.set(universalId, {
      universalId,
      // Upstream shows a face whose performer it cannot name as "Unknown".
      name: name ?? 'Unknown',
      aliases: details?.aliases ?? [],
      stashIds,
      country: entry?.country ?? details?.country ?? null,
      imageUrl: entry?.imageUrl ?? details?.imageUrl ?? null,
    });
  }
  onProgress(universalIds.size, universalIds.size);
  if (unparsable > 0) logger?.warn('upstream universal ids that name no stash-box id were skipped', { count: unparsable });
  if (unnamed > 0) logger?.warn('upstream performers without a name', { count: unnamed });
  return performers;
}

function parseFacesJson(text: string): (string | null)[] {
  const raw = parseJson(text, 'faces.json');
  if (!Array.isArray(raw) || !raw.every((entry) => entry === null || typeof entry === 'string')) {
    throw new SenseError('BAD_INPUT', 'faces.json is not an array of universal ids (strings or null)');
  }
  return raw as (string | null)[];
}

function parsePerformersJson(text: string): Map<string, PerformerEntry> {
  const raw = parseJson(text, 'performers.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SenseError('BAD_INPUT', 'performers.json is not an object keyed by universal id');
  }
  const entries = new Map<string, PerformerEntry>();
  for (const [universalId, value] of Object.entries(raw as Record<string, unknown>)) {
    const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    const text = (key: string) => (typeof fields[key] === 'string' && fields[key] !== '' ? (fields[key] as string) : null);
    entries.set(universalId, { name: text('name'), country: text('country'), imageUrl: text('image_url') });
  }
  return entries;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SenseError('BAD_INPUT', `${file} is not valid JSON`);
  }
}

async function readRequired(dir: string, file: string): Promise<string> {
  await requireFile(dir, file);
  return readFile(join(dir, file), 'utf8');
}

async function requireFile(dir: string, file: string): Promise<void> {
  if (!(await exists(join(dir, file)))) throw new SenseError('BAD_INPUT', `${file} is missing from ${dir}; is it an upstream stash-sense data release?`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
