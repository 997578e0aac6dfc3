import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { SenseError, errorMessage, isSenseError } from '../errors.js';
import type { FaceDatabaseSource, NewFace, NewPerformer } from '../faces/index.js';
import type { Logger } from '../logger.js';
import type { VisionPipeline } from '../vision/index.js';
import type { StashClient } from '../stash/index.js';
import { enrollFromStash, type StashEnrollOptions, type StashEnrollSummary } from './enroll-from-stash.js';
import { readEnrollmentFolder } from './read-folder.js';
import { embedReferenceFace } from './reference-face.js';

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
  /** A face below this detection score is not trusted as a reference photo. */
  minScore: number;
  minFacePx: number;
}

export interface EnrollService {
  enrollFolder(dir: string, options?: EnrollOptions): Promise<EnrollSummary>;
  enrollFromStash(options?: StashEnrollOptions): Promise<StashEnrollSummary>;
}

interface PendingPerformer {
  performer: NewPerformer;
  faces: NewFace[];
}

export function createEnrollService(deps: {
  vision: VisionPipeline;
  faces: FaceDatabaseSource;
  stash: () => StashClient;
  policy: EnrollPolicy;
  logger: Logger;
}): EnrollService {
  const { vision, policy, logger } = deps;

  return {
    enrollFromStash: (options) => enrollFromStash({ ...deps, stash: deps.stash() }, options),
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
        for (const photo of folder.photos) {
          if (options.signal?.aborted) throw new SenseError('CANCELLED', 'Enrolment was cancelled; nothing was written');
          options.onProgress?.({ done, total, current: relative(dir, photo) });
          try {
            const outcome = await embedReferenceFace(vision, policy, await readFile(photo), photo, { kind: 'file' });
            if ('skip' in outcome) skipped.push({ file: photo, reason: outcome.skip });
            else if (database.current().hasFaceSource(outcome.face.sourceHash)) alreadyEnrolled += 1;
            else entry.faces.push(outcome.face);
          } catch (error: unknown) {
            if (!isSenseError(error)) throw error;
            skipped.push({ file: photo, reason: errorMessage(error) });
          }
          done += 1;
        }
        pending.push(entry);
      }
      options.onProgress?.({ done, total, current: '' });
      // Everything lands in one write: a crash before it leaves the database exactly as it was.
      const nothingNew = pending.every((entry) => entry.faces.length === 0);
      const written = nothingNew ? { result: 0, facesAdded: 0, performersAdded: 0, facesDeleted: 0 } : await database.write((writer) => {
        let duplicates = 0;
        for (const entry of pending) {
          if (entry.faces.length === 0) continue;
          const performerId = writer.upsertPerformer(entry.performer);
          for (const face of entry.faces) if (writer.addFace(performerId, face) === undefined) duplicates += 1;
        }
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
