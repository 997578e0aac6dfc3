import { SenseError } from '../errors.js';
import type { FaceDatabase, FaceDatabaseSource, PerformerRecord } from '../faces/index.js';
import type { VideoFrameSource } from '../frames/index.js';
import type { Logger } from '../logger.js';
import { clusterFaces, type FaceObservation } from '../match/index.js';
import type { IdentificationStore } from '../state/index.js';
import { getScene, type StashClient, type StashScene } from '../stash/index.js';
import { createPerformerLinker, notInLibrary, type PerformerLink } from '../tagback/index.js';
import type { EmbeddedFace, VisionPipeline } from '../vision/index.js';
import type { Candidate, IdentifyService } from './identify-service.js';
import { readSceneFrames, type FrameSourceName, type FrameSourceReport } from './scene-frames.js';

export interface SceneIdentifyOptions {
  sources?: FrameSourceName[] | null;
  frameCount?: number | null;
  topK?: number | null;
  maxDistance?: number | null;
}

export interface LinkedCandidate extends Candidate {
  /** Distinct frames that agree on this performer for this person. */
  frameCount: number;
  /** Already on the scene in Stash. */
  alreadyTagged: boolean;
  link: PerformerLink;
}

export interface ScenePerson {
  personId: number;
  faceCount: number;
  frameCount: number;
  /** Seconds into the video where this person was seen (stream and sprite frames). */
  timestamps: number[];
  /** A JPEG of the person's clearest face, as a data: URL. */
  thumbnail: string;
  status: 'MATCHED' | 'UNKNOWN';
  candidates: LinkedCandidate[];
}

export interface SceneTimings {
  framesMs: number;
  detectMs: number;
  embedMs: number;
  searchMs: number;
  clusterMs: number;
  linkMs: number;
  totalMs: number;
}

export interface SceneIdentification {
  sceneId: string;
  title: string | null;
  databaseVersion: string;
  identifiedAt: string;
  framesRead: number;
  facesDetected: number;
  sources: FrameSourceReport[];
  persons: ScenePerson[];
  timings: SceneTimings;
  executionProvider: string;
}

export interface SceneIdentifyService {
  /** Identifies and stores the result (with the face database version it was made with). */
  identifyScene(sceneId: string, options?: SceneIdentifyOptions, signal?: AbortSignal): Promise<SceneIdentification>;
  lastSceneIdentification(sceneId: string): SceneIdentification | undefined;
}

export interface SceneIdentifyDefaults {
  frameCount: number;
  sources: FrameSourceName[];
  /** Faces closer than this to a person's centroid are the same person. */
  clusterDistance: number;
  calibratedDistance: number;
  taggedBoost: number;
  topK: number;
}

export interface SceneIdentifyDeps {
  vision: VisionPipeline;
  identify: IdentifyService;
  faces: FaceDatabaseSource;
  stash: () => StashClient;
  video: VideoFrameSource;
  store: IdentificationStore;
  defaults: SceneIdentifyDefaults;
  logger: Logger;
}

interface Observed {
  observation: FaceObservation;
  timestampSec: number | null;
  thumbnail: Promise<Buffer>;
}

export function createSceneIdentifyService(deps: SceneIdentifyDeps): SceneIdentifyService {
  return {
    lastSceneIdentification(sceneId) {
      return deps.store.lastIdentification('scene', sceneId)?.result as SceneIdentification | undefined;
    },
    async identifyScene(sceneId, options = {}, signal) {
      const started = performance.now();
      const stash = deps.stash();
      const scene = await getScene(stash, sceneId, { signal });
      if (!scene) throw new SenseError('NOT_FOUND', `Scene ${sceneId} does not exist in Stash`);
      const sources = options.sources && options.sources.length > 0 ? [...new Set(options.sources)] : deps.defaults.sources;
      const frameCount = options.frameCount ?? deps.defaults.frameCount;
      if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > 1000) throw new SenseError('BAD_INPUT', `frameCount must be from 1 to 1000 (got ${frameCount})`);
      // The whole scene is matched against one database, even if another is swapped in meanwhile.
      const lease = deps.faces.acquire();
      try {
        const database = lease.database;
        const databaseVersion = database.info().version;
        const timings = { framesMs: 0, detectMs: 0, embedMs: 0, searchMs: 0, clusterMs: 0, linkMs: 0, totalMs: 0 };
        const reports = new Map<FrameSourceName, FrameSourceReport>();
        const observed: Observed[] = [];
        let framesRead = 0;

        let waitStarted = performance.now();
        for await (const frame of readSceneFrames(scene, { stash, video: deps.video, logger: deps.logger }, { sources, frameCount, signal }, reports)) {
          timings.framesMs += performance.now() - waitStarted;
          framesRead += 1;
          let mark = performance.now();
          const detected = await deps.vision.detectFaces(frame.image);
          timings.detectMs += performance.now() - mark;
          mark = performance.now();
          const embedded: EmbeddedFace[] = detected.length > 0 ? await deps.vision.embedFaces(frame.image, detected) : [];
          timings.embedMs += performance.now() - mark;
          const matched = deps.identify.matchFaces(embedded, { topK: 10, maxDistance: options.maxDistance }, database);
          timings.searchMs += matched.searchMs;
          const report = reports.get(sourceName(frame.source));
          if (report) report.faces += embedded.length;
          embedded.forEach((face, i) => {
            observed.push({
              observation: {
                frameKey: `${frame.source}:${frame.index}`,
                vector: concatEmbeddings(face, deps.vision.embeddingModels),
                quality: face.score * Math.min(face.box.width, face.box.height),
                candidates: (matched.faces[i]?.candidates ?? []).map(({ performerId, distance }) => ({ performerId, distance })),
              },
              timestampSec: frame.timestampSec,
              thumbnail: deps.vision.cropFace(frame.image, face.box, 128),
            });
          });
          waitStarted = performance.now();
        }

        let mark = performance.now();
        const taggedPerformerIds = taggedInFaceDatabase(scene, database, observed);
        const clusters = clusterFaces(
          observed.map((item) => item.observation),
          { ...deps.defaults, topK: options.topK ?? deps.defaults.topK, taggedPerformerIds },
        );
        timings.clusterMs = performance.now() - mark;

        mark = performance.now();
        const performers = database.getPerformers([...new Set(clusters.flatMap((cluster) => cluster.candidates.map((c) => c.performerId)))]);
        const links = await createPerformerLinker(stash).link([...performers.values()], signal);
        timings.linkMs = performance.now() - mark;

        const persons: ScenePerson[] = [];
        for (const [personId, cluster] of clusters.entries()) {
          const members = cluster.members.map((i) => observed[i]!);
          const candidates = cluster.candidates.flatMap((candidate): LinkedCandidate[] => {
            const performer = performers.get(candidate.performerId);
            if (!performer) return [];
            return [{ ...toCandidate(performer, candidate), frameCount: candidate.frameCount, alreadyTagged: candidate.alreadyTagged, link: links.get(performer.id) ?? notInLibrary }];
          });
          const thumbnail = await observed[cluster.bestMember]!.thumbnail;
          persons.push({
            personId,
            faceCount: members.length,
            frameCount: cluster.frameKeys.length,
            timestamps: [...new Set(members.map((m) => m.timestampSec).filter((t): t is number => t !== null))].sort((a, b) => a - b),
            thumbnail: `data:image/jpeg;base64,${thumbnail.toString('base64')}`,
            status: candidates.length > 0 ? 'MATCHED' : 'UNKNOWN',
            candidates,
          });
        }
        // Thumbnails of faces not chosen were still made; let their promises settle before returning.
        await Promise.allSettled(observed.map((item) => item.thumbnail));
        timings.totalMs = performance.now() - started;
        const result: SceneIdentification = {
          sceneId: scene.id,
          title: scene.title,
          databaseVersion,
          identifiedAt: new Date().toISOString(),
          framesRead,
          facesDetected: observed.length,
          sources: sources.map((source) => reports.get(source) ?? { source, frames: 0, faces: 0, error: null }),
          persons,
          timings,
          executionProvider: deps.vision.executionProvider,
        };
        deps.store.saveIdentification({ kind: 'scene', targetId: scene.id, databaseVersion, result, createdAt: result.identifiedAt });
        deps.logger.info('scene identified', { sceneId: scene.id, frames: framesRead, faces: observed.length, persons: persons.length, ms: Math.round(timings.totalMs) });
        return result;
      } finally {
        lease.release();
      }
    },
  };
}

function sourceName(source: string): FrameSourceName {
  return source === 'stream' ? 'STREAM' : source === 'sprite' ? 'SPRITE' : 'SCREENSHOT';
}

function concatEmbeddings(face: EmbeddedFace, models: readonly { name: string; dims: number }[]): Float32Array {
  if (models.length === 1) return face.embeddings[models[0]!.name] ?? new Float32Array(models[0]!.dims);
  const out = new Float32Array(models.reduce((sum, model) => sum + model.dims, 0));
  let offset = 0;
  for (const model of models) {
    out.set(face.embeddings[model.name] ?? new Float32Array(model.dims), offset);
    offset += model.dims;
  }
  return out;
}

/** Face-database performers who are already on the scene, matched by stash-box ID or exact name. */
function taggedInFaceDatabase(scene: StashScene, database: FaceDatabase, observed: readonly Observed[]): Set<string> {
  const ids = [...new Set(observed.flatMap((item) => item.observation.candidates.map((c) => c.performerId)))];
  const stashIds = new Set(scene.performers.flatMap((p) => p.stashIds.map((s) => `${s.endpoint}|${s.stashId}`)));
  const names = new Set(scene.performers.map((p) => p.name.trim().toLowerCase()));
  const tagged = new Set<string>();
  for (const performer of database.getPerformers(ids).values()) {
    if (performer.stashIds.some((s) => stashIds.has(`${s.endpoint}|${s.stashId}`)) || names.has(performer.name.trim().toLowerCase())) tagged.add(performer.id);
  }
  return tagged;
}

function toCandidate(performer: PerformerRecord, scored: { distance: number; confidence: number }): Candidate {
  const { id, name, aliases, stashIds, country, imageUrl } = performer;
  return { performerId: id, name, aliases, stashIds, country, imageUrl, distance: scored.distance, confidence: scored.confidence };
}
