import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SenseError, errorMessage, isSenseError } from '../errors.js';
import type { EnrolledFaceSource, FaceDatabase } from '../faces/index.js';
import type { Logger } from '../logger.js';
import type { BodySignal } from '../pose/index.js';
import type { StashClient } from '../stash/index.js';
import type { VisionPipeline } from '../vision/index.js';
import { updateBodyReference } from './body-references.js';
import type { EnrollProgress } from './enroll-service.js';

export interface BodyRebuildSummary {
  faces: number;
  /** Photos read again and measured (whether or not they gave a ratio). */
  photosRead: number;
  /** Photos that gave a shoulder/hip ratio. */
  measured: number;
  /** Performers with a body reference after the rebuild. */
  performersWithReference: number;
  performers: number;
  /** Why photos could not be used, with how many each. */
  unreadable: { reason: string; count: number }[];
  databaseVersion: string;
}

export interface BodyRebuildDeps {
  vision: VisionPipeline;
  faces: () => FaceDatabase;
  body: BodySignal;
  /** Undefined when Stash is not configured: photos enrolled from Stash are then skipped. */
  stash: StashClient | undefined;
  logger: Logger;
}

type Photo = { bytes: Uint8Array } | { unreadable: string };

/**
 * Measures every enrolled photo again, from the file it was enrolled from or, for photos enrolled from Stash,
 * the performer image in Stash; a photo whose content changed since enrolment is not used. The face box
 * stored at enrolment says whose body to measure, so no face detection runs. One write at the end: an
 * interrupted rebuild leaves the old references. Photos that cannot be read keep their old ratio.
 */
export async function rebuildBodyReferences(deps: BodyRebuildDeps, options: { onProgress?: (progress: EnrollProgress) => void; signal?: AbortSignal } = {}): Promise<BodyRebuildSummary> {
  const started = performance.now();
  const database = deps.faces();
  const sources = database.listFaceSources();
  const ratios = new Map<number, number | null>();
  const unreadable = new Map<string, number>();
  let photosRead = 0;
  for (const [i, source] of sources.entries()) {
    if (options.signal?.aborted) throw new SenseError('CANCELLED', 'The body reference rebuild was cancelled; nothing was written');
    options.onProgress?.({ done: i, total: sources.length, current: source.sourcePath ?? `face ${source.faceId}` });
    const photo = await readPhoto(deps.stash, source, options.signal);
    if ('unreadable' in photo) {
      unreadable.set(photo.unreadable, (unreadable.get(photo.unreadable) ?? 0) + 1);
      continue;
    }
    try {
      const image = await deps.vision.decodeImage(photo.bytes);
      const measured = await deps.body.measure(image, source.box);
      ratios.set(source.faceId, measured.kind === 'measured' ? measured.shoulderHipRatio : null);
      photosRead += 1;
    } catch (error: unknown) {
      if (!isSenseError(error)) throw error;
      unreadable.set(error.message, (unreadable.get(error.message) ?? 0) + 1);
    }
  }
  options.onProgress?.({ done: sources.length, total: sources.length, current: '' });
  const performers = [...new Set(sources.map((source) => source.performerId))];
  // Nothing read means nothing to change: no write, so the database version (which results record) stays.
  if (ratios.size > 0) {
    await database.write((writer) => {
      for (const [faceId, ratio] of ratios) writer.setFaceBodyRatio(faceId, ratio);
      for (const performerId of performers) updateBodyReference(writer, performerId);
    });
  }
  const summary: BodyRebuildSummary = {
    faces: sources.length,
    photosRead,
    measured: [...ratios.values()].filter((ratio) => ratio !== null).length,
    performersWithReference: database.getBodyReferences(performers).size,
    performers: performers.length,
    unreadable: [...unreadable].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    databaseVersion: database.info().version,
  };
  deps.logger.info('body references rebuilt', { ...summary, unreadable: sources.length - photosRead, ms: Math.round(performance.now() - started) });
  return summary;
}

async function readPhoto(stash: StashClient | undefined, source: EnrolledFaceSource, signal?: AbortSignal): Promise<Photo> {
  const path = source.sourcePath;
  if (!path) return { unreadable: 'no source recorded at enrolment' };
  let bytes: Uint8Array;
  if (/^https?:\/\//i.test(path)) {
    if (!stash) return { unreadable: 'enrolled from a URL and Stash is not configured' };
    // Only the configured Stash is asked: an imported database's stash-box image URLs are not fetched.
    if (new URL(path).origin !== new URL(stash.mediaUrl(path)).origin) return { unreadable: 'enrolled from a URL outside Stash' };
    try {
      bytes = new Uint8Array(await stash.fetchMedia(path, { signal }));
    } catch (error: unknown) {
      if (isSenseError(error) && ['STASH_UNAVAILABLE', 'STASH_AUTH', 'CANCELLED'].includes(error.code)) throw error;
      return { unreadable: `Stash image could not be read: ${errorMessage(error)}` };
    }
  } else {
    try {
      bytes = await readFile(path);
    } catch (error: unknown) {
      return { unreadable: `photo file could not be read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})` };
    }
  }
  if (createHash('sha256').update(bytes).digest('hex') !== source.sourceHash) return { unreadable: 'photo changed since enrolment' };
  return { bytes };
}
