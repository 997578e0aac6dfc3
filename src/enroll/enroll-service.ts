import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { SenseError, errorMessage, isSenseError } from '../errors.js';
import type { FaceDatabaseSource, NewFace, NewPerformer } from '../faces/index.js';
import type { Logger } from '../logger.js';
import type { VisionPipeline } from '../vision/index.js';
import type { BodySignal } from '../pose/index.js';
import type { StashClient } from '../stash/index.js';
import { recordBodyRatios } from './body-references.js';
import { rebuildBodyReferences, type BodyRebuildSummary } from './rebuild-body-references.js';
import { enrollFromStash, type StashEnrollOptions, type StashEnrollSummary } from './enroll-from-stash.js';
import { readEnrollmentFolder } from './read-folder.js';
import { chooseAgreeingFaces, type PhotoFaces } from './choose-faces.js';
import { embedPhotoFaces, measureBodyRatio } from './reference-face.js';

export interface EnrollProgress {
  done: number;
  total: number;
  current: string;
}

export interface SkippedPhoto {
  file: string;
  reason: string;
}

export interface EnrollSummary {
  performers: number;
  photos: number;
  facesAdded: number;
  performersAdded: number;
  alreadyEnrolled: number;
  skipped: SkippedPhoto[];
  databaseVersion: string;
}

export interface EnrollOptions {
  onProgress?: (progress: EnrollProgress) => void;
  signal?: AbortSignal;
}

export interface EnrollPolicy {
  /**
   * A face below this detection score is not trusted as a reference photo. The service sets it to the detection
   * threshold, so a face identification would find is also a face enrolment takes: tight Stash headshots
   * score lower than news photos, and a stricter score skipped 12 % of them. What guards against a wrong face
   * is agreement with the performer's other photos (agreeDistance), not the score.
   */
  minScore: number;
  minFacePx: number;
  /** Faces of one performer closer than this (cosine distance) are taken to be the same person. */
  agreeDistance: number;
  /** At most this many faces of one photo are embedded to find the one that agrees with the other photos. */
  maxFacesPerPhoto: number;
}

export interface EnrollService {
  enrollFolder(dir: string, options?: EnrollOptions): Promise<EnrollSummary>;
  enrollFromStash(options?: StashEnrollOptions): Promise<StashEnrollSummary>;
  /** Measures the enrolled photos again and rebuilds every performer's body reference. */
  rebuildBodyReferences(options?: EnrollOptions): Promise<BodyRebuildSummary>;
}

interface PendingPerformer {
  performer: NewPerformer;
  faces: { face: NewFace; bodyRatio?: number }[];
}

export function createEnrollService(deps: {
  vision: VisionPipeline;
  faces: FaceDatabaseSource;
  stash: () => StashClient;
  policy: EnrollPolicy;
  /** When the body signal is on: each photo's body ratio is recorded and performers' references updated. */
  body?: BodySignal;
  logger: Logger;
}): EnrollService {
  const { vision, policy, logger, body } = deps;

  return {
    enrollFromStash: (options) => enrollFromStash({ ...deps, stash: deps.stash() }, options),
    async rebuildBodyReferences(options = {}) {
      if (!body) throw new SenseError('BAD_INPUT', 'The body signal is off (ENABLE_BODY_SIGNAL=false); turn it on to rebuild body references');
      return rebuildBodyReferences({ vision, faces: () => deps.faces.current(), body, stash: configuredStash(deps.stash), logger }, options);
    },
    async enrollFolder(dir, options = {}) {
      const started = performance.now();
      const folders = await readEnrollmentFolder(dir);
      const total = folders.reduce((sum, folder) => sum + folder.photos.length, 0);
      const skipped: SkippedPhoto[] = [];
      const pending: PendingPerformer[] = [];
      let done = 0;
      let alreadyEnrolled = 0;
      const database = deps.faces;
      for (const folder of folders) {
        const entry: PendingPerformer = { performer: folder.performer, faces: [] };
        const photos: PhotoFaces[] = [];
        for (const photo of folder.photos) {
          if (options.signal?.aborted) throw new SenseError('CANCELLED', 'Enrolment was cancelled; nothing was written');
          options.onProgress?.({ done, total, current: relative(dir, photo) });
          try {
            const outcome = await embedPhotoFaces(vision, policy, await readFile(photo), photo, { kind: 'file' });
            if ('skip' in outcome) skipped.push({ file: photo, reason: outcome.skip });
            else photos.push({ file: photo, faces: outcome.faces });
          } catch (error: unknown) {
            if (!isSenseError(error)) throw error;
            skipped.push({ file: photo, reason: errorMessage(error) });
          }
          done += 1;
        }
        // Photos already enrolled still vote for which face is the performer's in the new ones.
        const choice = chooseAgreeingFaces(photos, policy.agreeDistance);
        skipped.push(...choice.skipped);
        for (const { face } of choice.chosen) {
          if (database.current().hasFaceSource(face.sourceHash)) alreadyEnrolled += 1;
          else {
            const bodyRatio = body && face.sourcePath ? await measureBodyRatio(vision, body, await readFile(face.sourcePath), face.box) : undefined;
            entry.faces.push(bodyRatio === undefined ? { face } : { face, bodyRatio });
          }
        }
        pending.push(entry);
      }
      options.onProgress?.({ done, total, current: '' });
      // Everything lands in one write: a crash before it leaves the database exactly as it was.
      const nothingNew = pending.every((entry) => entry.faces.length === 0);
      const written = nothingNew ? { result: 0, facesAdded: 0, performersAdded: 0, facesDeleted: 0 } : await database.write((writer) => {
        let duplicates = 0;
        const added: Parameters<typeof recordBodyRatios>[1][number][] = [];
        for (const entry of pending) {
          if (entry.faces.length === 0) continue;
          const performerId = writer.upsertPerformer(entry.performer);
          for (const { face, bodyRatio } of entry.faces) {
            const faceId = writer.addFace(performerId, face);
            if (faceId === undefined) duplicates += 1;
            added.push({ performerId, faceId, ...(bodyRatio === undefined ? {} : { bodyRatio }) });
          }
        }
        recordBodyRatios(writer, added);
        return duplicates;
      });
      const summary: EnrollSummary = {
        performers: folders.length,
        photos: total,
        facesAdded: written.facesAdded,
        performersAdded: written.performersAdded,
        alreadyEnrolled: alreadyEnrolled + written.result,
        skipped,
        databaseVersion: database.current().info().version,
      };
      logger.info('enrolment finished', { ...summary, skipped: skipped.length, ms: Math.round(performance.now() - started) });
      return summary;
    },
  };
}

/** The Stash client, or undefined when Stash is not configured (photos enrolled from Stash are then skipped). */
function configuredStash(stash: () => StashClient): StashClient | undefined {
  try {
    return stash();
  } catch (error: unknown) {
    if (isSenseError(error) && error.code === 'STASH_UNAVAILABLE') return undefined;
    throw error;
  }
}
