import { SenseError } from '../errors.js';
import type { FaceDatabase, FaceDatabaseSource, StashId } from '../faces/index.js';
import type { Logger } from '../logger.js';
import { rankFaceCandidates } from '../match/index.js';
import type { Box, EmbeddedFace, StageTimings, VisionPipeline } from '../vision/index.js';
import { readImageSource, type ImageSource, type ImageSourceLimits } from './image-source.js';

export interface IdentifyOptions {
  topK?: number | null;
  maxDistance?: number | null;
}

export interface MatchDefaults {
  topK: number;
  maxDistance: number;
  /** How many nearest faces to fetch per model before fusing them into performers. */
  searchK: number;
}

export interface Candidate {
  performerId: string;
  name: string;
  aliases: string[];
  stashIds: StashId[];
  country: string | null;
  imageUrl: string | null;
  distance: number;
  confidence: number;
}

export type FaceStatus = 'MATCHED' | 'UNKNOWN';

export interface IdentifiedFace {
  box: Box;
  score: number;
  status: FaceStatus;
  candidates: Candidate[];
}

export interface IdentifyTimings extends StageTimings {
  searchMs: number;
  totalMs: number;
}

export interface ImageIdentification {
  width: number;
  height: number;
  faces: IdentifiedFace[];
  databaseVersion: string;
  timings: IdentifyTimings;
}

export interface IdentifyService {
  identifyImage(source: ImageSource, options?: IdentifyOptions, signal?: AbortSignal): Promise<ImageIdentification>;
  /**
   * Candidates for faces already detected and embedded (scene frames, gallery images), from `database`: the
   * caller holds a lease on it for its whole request.
   */
  matchFaces(faces: readonly EmbeddedFace[], options: IdentifyOptions, database: FaceDatabase): { faces: IdentifiedFace[]; searchMs: number };
}

export interface IdentifyServiceDeps {
  vision: VisionPipeline;
  /** The face database; each request leases the one it starts with, which may be swapped while it runs. */
  faces: FaceDatabaseSource;
  limits: ImageSourceLimits;
  defaults: MatchDefaults;
  logger: Logger;
}

export function createIdentifyService({ vision, faces, limits, defaults, logger }: IdentifyServiceDeps): IdentifyService {
  const matchFaces: IdentifyService['matchFaces'] = (detected, options, database) => {
    const started = performance.now();
    const rankOptions = { ...resolveOptions(options, defaults), calibratedDistance: defaults.maxDistance };
    const ranked = detected.map((face) => {
      const hitsByModel = Object.fromEntries(
        vision.embeddingModels.map(({ name }) => {
          const embedding = face.embeddings[name];
          return [name, embedding ? database.search(name, embedding, defaults.searchK) : []];
        }),
      );
      return rankFaceCandidates(hitsByModel, rankOptions);
    });
    const performers = database.getPerformers([...new Set(ranked.flat().map((candidate) => candidate.performerId))]);
    const identified = detected.map((face, i): IdentifiedFace => {
      const candidates = (ranked[i] ?? []).flatMap((candidate): Candidate[] => {
        const performer = performers.get(candidate.performerId);
        if (!performer) return [];
        const { name, aliases, stashIds, country, imageUrl } = performer;
        return [{ performerId: performer.id, name, aliases, stashIds, country, imageUrl, distance: candidate.distance, confidence: candidate.confidence }];
      });
      return { box: roundBox(face.box), score: face.score, status: candidates.length > 0 ? 'MATCHED' : 'UNKNOWN', candidates };
    });
    return { faces: identified, searchMs: performance.now() - started };
  };

  return {
    matchFaces,
    async identifyImage(source, options = {}, signal) {
      const started = performance.now();
      resolveOptions(options, defaults); // bad options fail before any download or decoding
      const bytes = await readImageSource(source, limits, signal);
      const analysis = await vision.analyzeImage(bytes);
      const lease = faces.acquire();
      let matched: ReturnType<typeof matchFaces>;
      let databaseVersion: string;
      try {
        matched = matchFaces(analysis.faces, options, lease.database);
        databaseVersion = lease.database.info().version;
      } finally {
        lease.release();
      }
      const { faces: identified, searchMs } = matched;
      const totalMs = performance.now() - started;
      logger.info('image identified', {
        source: source.kind,
        faces: identified.length,
        matched: identified.filter((face) => face.status === 'MATCHED').length,
        ms: Math.round(totalMs),
      });
      return {
        width: analysis.width,
        height: analysis.height,
        faces: identified,
        databaseVersion,
        timings: { ...analysis.timings, searchMs, totalMs },
      };
    },
  };
}

function roundBox(box: Box): Box {
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

function resolveOptions(options: IdentifyOptions, defaults: MatchDefaults): { topK: number; maxDistance: number } {
  const topK = options.topK ?? defaults.topK;
  const maxDistance = options.maxDistance ?? defaults.maxDistance;
  if (!Number.isInteger(topK) || topK < 1 || topK > 100) throw new SenseError('BAD_INPUT', `topK must be a whole number from 1 to 100 (got ${topK})`);
  if (!Number.isFinite(maxDistance) || maxDistance < 0 || maxDistance > 2) {
    throw new SenseError('BAD_INPUT', `maxDistance must be a cosine distance from 0 to 2 (got ${maxDistance})`);
  }
  return { topK, maxDistance };
}
