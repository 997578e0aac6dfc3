import { SenseError, isSenseError } from '../errors.js';
import type { FaceDatabaseSource, NewFace, NewPerformer } from '../faces/index.js';
import type { Logger } from '../logger.js';
import { listPerformers, type StashClient, type StashPerformer } from '../stash/index.js';
import type { VisionPipeline } from '../vision/index.js';
import type { BodySignal } from '../pose/index.js';
import { recordBodyRatios } from './body-references.js';
import type { EnrollPolicy, EnrollProgress } from './enroll-service.js';
import { embedReferenceFace } from './reference-face.js';

export interface StashEnrollSummary {
  performers: number;
  facesAdded: number;
  performersAdded: number;
  alreadyEnrolled: number;
  skipped: { performerId: string; name: string; reason: string }[];
  databaseVersion: string;
}

export interface StashEnrollOptions {
  onProgress?: (progress: EnrollProgress) => void;
  signal?: AbortSignal;
  /** Performers written per commit: an interruption loses at most one chunk, and a rerun skips what is in. */
  chunkSize?: number;
}

interface Pending {
  performer: NewPerformer;
  face: NewFace;
  bodyRatio?: number;
}

/**
 * Builds or updates the face database from the user's own Stash: each performer's image, with their stash-box
 * IDs and aliases. Performers whose image has no confident face are reported, not enrolled.
 */
export async function enrollFromStash(
  deps: { vision: VisionPipeline; faces: FaceDatabaseSource; stash: StashClient; policy: EnrollPolicy; body?: BodySignal; logger: Logger },
  options: StashEnrollOptions = {},
): Promise<StashEnrollSummary> {
  const started = performance.now();
  const chunkSize = options.chunkSize ?? 50;
  const database = deps.faces;
  const skipped: StashEnrollSummary['skipped'] = [];
  let pending: Pending[] = [];
  let performers = 0;
  let alreadyEnrolled = 0;
  let facesAdded = 0;
  let performersAdded = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const written = await database.write((writer) => {
      const added = batch.map(({ performer, face, bodyRatio }) => {
        const performerId = writer.upsertPerformer(performer);
        return { performerId, faceId: writer.addFace(performerId, face), ...(bodyRatio === undefined ? {} : { bodyRatio }) };
      });
      recordBodyRatios(writer, added);
    });
    facesAdded += written.facesAdded;
    performersAdded += written.performersAdded;
  };

  for await (const page of listPerformers(deps.stash, { signal: options.signal })) {
    for (const performer of page.items) {
      if (options.signal?.aborted) throw new SenseError('CANCELLED', 'Enrolment from Stash was cancelled; performers written so far are kept');
      performers += 1;
      options.onProgress?.({ done: performers - 1, total: page.total, current: performer.name });
      try {
        const outcome = await embedPerformer(deps, performer, options.signal);
        if ('skip' in outcome) skipped.push({ performerId: performer.id, name: performer.name, reason: outcome.skip });
        else if (database.current().hasFaceSource(outcome.face.sourceHash)) alreadyEnrolled += 1;
        else pending.push({ performer: toNewPerformer(performer), ...outcome });
      } catch (error: unknown) {
        if (!isSenseError(error) || ['STASH_UNAVAILABLE', 'STASH_AUTH', 'CANCELLED'].includes(error.code)) throw error;
        skipped.push({ performerId: performer.id, name: performer.name, reason: error.message });
      }
      if (pending.length >= chunkSize) await flush();
    }
    options.onProgress?.({ done: performers, total: page.total, current: '' });
  }
  await flush();
  const summary = { performers, facesAdded, performersAdded, alreadyEnrolled, skipped, databaseVersion: database.current().info().version };
  deps.logger.info('enrolled from stash', { ...summary, skipped: skipped.length, ms: Math.round(performance.now() - started) });
  return summary;
}

async function embedPerformer(
  deps: { vision: VisionPipeline; stash: StashClient; policy: EnrollPolicy; body?: BodySignal },
  performer: StashPerformer,
  signal?: AbortSignal,
): Promise<{ face: NewFace; bodyRatio?: number } | { skip: string }> {
  if (!performer.imageUrl) return { skip: 'no image in Stash' };
  const bytes = new Uint8Array(await deps.stash.fetchMedia(performer.imageUrl, { signal }));
  return embedReferenceFace(deps.vision, deps.policy, bytes, performer.imageUrl, { kind: 'stash', ref: performer.id }, ' in the performer image', deps.body);
}

function toNewPerformer(performer: StashPerformer): NewPerformer {
  return { name: performer.name, aliases: performer.aliases, stashIds: performer.stashIds, country: performer.country, imageUrl: performer.imageUrl };
}
