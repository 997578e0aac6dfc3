// One embedding model's live hnswlib index, as the face database holds it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createEmptyIndex, loadIndexFile, type HnswIndex } from './index-file.js';
import type { Metadata } from './schema.js';
import type { EmbeddingModel } from './types.js';
import type { StagedVector } from './writer.js';
import type { Database } from 'better-sqlite3';

/** Long index builds give the event loop a turn this often, so searches keep being answered. */
const YIELD_EVERY_MS = 20;

export interface ModelIndex {
  model: EmbeddingModel;
  /** Replaced whole (never reloaded in place) when a write adopts a file or rolls back. */
  index: HnswIndex;
}

export async function loadModelIndex(dataDir: string, metadata: Metadata, model: EmbeddingModel, efSearch: number, logger: Logger): Promise<HnswIndex> {
  const name = metadata.indexFiles[model.name];
  if (name === undefined) return createEmptyIndex(model.dims, efSearch);
  const path = join(dataDir, name);
  const started = performance.now();
  try {
    await stat(path);
  } catch {
    throw new SenseError('DATABASE_NOT_LOADED', `index file ${path} for model "${model.name}" is missing; restore it or rebuild the face database`);
  }
  const { index, count } = await loadIndexFile(path, model.dims, efSearch);
  logger.debug('index loaded', { model: model.name, file: name, count, ms: Math.round(performance.now() - started) });
  return index;
}

/** Grows capacity geometrically before adding, and lets other work run between points of a large batch. */
export async function addVectors(index: HnswIndex, vectors: readonly StagedVector[]): Promise<void> {
  const needed = index.getCurrentCount() + vectors.length;
  if (needed > index.getMaxElements()) index.resizeIndex(Math.max(needed, Math.ceil(index.getMaxElements() * 1.5)));
  let slice = performance.now();
  for (const { label, vector } of vectors) {
    index.addPoint(Array.from(vector), label);
    if (performance.now() - slice > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
}

/** The change log read with the metadata it belongs to, in one read transaction. */
export interface ChangeLog {
  vectors: Map<string, StagedVector[]>;
  tombstones: number[];
}

export function readChangeLog(db: Database, models: readonly EmbeddingModel[]): ChangeLog {
  const vectors = new Map<string, StagedVector[]>(models.map((model) => [model.name, []]));
  const rows = db.prepare('SELECT face_id, model, vector FROM face_vectors ORDER BY face_id').all() as { face_id: number; model: string; vector: Buffer }[];
  for (const row of rows) {
    // Copied: a Buffer from SQLite need not be aligned for a Float32Array view.
    vectors.get(row.model)?.push({ label: row.face_id, vector: new Float32Array(new Uint8Array(row.vector).buffer) });
  }
  const tombstones = db.prepare('SELECT face_id FROM face_tombstones').pluck().all() as number[];
  return { vectors, tombstones };
}
