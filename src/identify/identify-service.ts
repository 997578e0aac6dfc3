import { SenseError } from '../errors.js';
import type { FaceDatabase, FaceDatabaseSource, StashId } from '../faces/index.js';
import type { Logger } from '../logger.js';
import { rankFaceCandidates, type MatchPolicy, type RankedCandidate } from '../match/index.js';
import type { BodyEffect, BodySignal } from '../pose/index.js';
import type { Box, EmbeddedFace, StageTimings, VisionPipeline } from '../vision/index.js';
import { applyBodyToFaces } from './body-step.js';
import { readImageSource, type ImageSource, type ImageSourceLimits } from './image-source.js';

export interface IdentifyOptions {
  topK?: number | null;
  maxDistance?: number | null;
}

export interface MatchDefaults {
  topK: number;
  /** The open-set decision (a size-aware distance, or MATCH_MAX_DISTANCE) and the calibrated confidence. */
  policy: MatchPolicy;
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
  /** The body signal's factor on `confidence` (1 when it did not adjust it); absent when the signal is off. */
  bodyMultiplier?: number;
}

export type FaceStatus = 'MATCHED' | 'UNKNOWN';

export interface IdentifiedFace {
  box: Box;
  score: number;
  status: FaceStatus;
  candidates: Candidate[];
  /** What the body signal did; absent when it is off. */
  body?: BodyEffect;
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
  /**
   * Performers for one set of per-model embeddings (a scene person's template), with distance and margin, within
   * the search distance and not yet cut by confidence: the caller scores them with the person's evidence.
   */
  rankEmbeddings(embeddings: Record<string, Float32Array>, options: IdentifyOptions, database: FaceDatabase): RankedCandidate[];
}

export interface IdentifyServiceDeps {
  vision: VisionPipeline;
  /** The face database; each request leases the one it starts with, which may be swapped while it runs. */
  faces: FaceDatabaseSource;
  limits: ImageSourceLimits;
  defaults: MatchDefaults;
  /** The body-proportion signal, when ENABLE_BODY_SIGNAL is on. */
  body?: BodySignal;
  logger: Logger;
}

export function createIdentifyService({ vision, faces, limits, defaults, body, logger }: IdentifyServiceDeps): IdentifyService {
  const rank = (database: FaceDatabase, embeddings: Record<string, Float32Array>, options: IdentifyOptions, cut = true): RankedCandidate[] => {
    const databaseFaces = database.info().faceCount;
    const { topK, maxDistance } = resolveOptions(options, defaults);
    const hitsByModel = Object.fromEntries(
      vision.embeddingModels.map(({ name }) => {
        const embedding = embeddings[name];
        return [name, embedding ? database.search(name, embedding, defaults.searchK) : []];
      }),
    );
    return rankFaceCandidates(hitsByModel, {
      topK,
      maxDistance: maxDistance ?? defaults.policy.maxDistance(databaseFaces),
      // A request's own distance decides alone, as MATCH_MAX_DISTANCE does.
      minConfidence: cut && maxDistance === null ? defaults.policy.minConfidence : 0,
      confidence: ({ distance, margin }) => defaults.policy.confidence({ distance, margin, agreeingFrames: 1, databaseFaces }),
    });
  };

  const matchFaces: IdentifyService['matchFaces'] = (detected, options, database) => {
    const started = performance.now();
    const ranked = detected.map((face) => rank(database, face.embeddings, options));
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
    rankEmbeddings: (embeddings, options, database) => rank(database, embeddings, options, false),
    async identifyImage(source, options = {}, signal) {
      const started = performance.now();
      resolveOptions(options, defaults); // bad options fail before any download or decoding
      const bytes = await readImageSource(source, limits, signal);
      const analysis = await vision.analyzeImage(bytes, signal);
      // The whole request reads one database, even if another process's write swaps in a new one meanwhile.
      const lease = faces.acquire();
      let identified: IdentifiedFace[];
      let searchMs: number;
      let databaseVersion: string;
      try {
        const matched = matchFaces(analysis.faces, options, lease.database);
        searchMs = matched.searchMs;
        identified = body ? await applyBodyToFaces(body, lease.database, analysis.image, matched.faces) : matched.faces;
        databaseVersion = lease.database.info().version;
      } finally {
        lease.release();
      }
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

/** A request's own maxDistance wins over the policy's (size-aware, or MATCH_MAX_DISTANCE); null leaves it to the policy. */
function resolveOptions(options: IdentifyOptions, defaults: Pick<MatchDefaults, 'topK'>): { topK: number; maxDistance: number | null } {
  const topK = options.topK ?? defaults.topK;
  const maxDistance = options.maxDistance ?? null;
  if (!Number.isInteger(topK) || topK < 1 || topK > 100) throw new SenseError('BAD_INPUT', `topK must be a whole number from 1 to 100 (got ${topK})`);
  if (maxDistance !== null && (!Number.isFinite(maxDistance) || maxDistance < 0 || maxDistance > 2)) {
    throw new SenseError('BAD_INPUT', `maxDistance must be a cosine distance from 0 to 2 (got ${maxDistance})`);
  }
  return { topK, maxDistance };
}
