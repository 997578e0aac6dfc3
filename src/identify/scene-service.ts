import { SenseError } from '../errors.js';
import type { FaceDatabase, FaceDatabaseSource, PerformerRecord } from '../faces/index.js';
import type { Frame, VideoFrameSource } from '../frames/index.js';
import type { Logger } from '../logger.js';
import { clusterFaces, type FaceObservation, type MatchPolicy, type PersonCandidate, type TemplateMatch } from '../match/index.js';
import { adjustForBody, combineMeasurements, type BodyEffect, type BodyMeasurement, type BodySignal } from '../pose/index.js';
import type { IdentificationStore } from '../state/index.js';
import { getScene, type StashClient, type StashScene } from '../stash/index.js';
import { createPerformerLinker, notInLibrary, type PerformerLink } from '../link/index.js';
import { assessFaceQuality, l2Normalise, type EmbeddedFace, type FaceRegion, type FrameFaces, type VisionPipeline } from '../vision/index.js';
import { bodyCouldMatter } from './body-step.js';
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
  /** What the body signal did for this person; absent when it is off. */
  body?: BodyEffect;
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
  taggedBoost: number;
  topK: number;
  /** Frames whose faces are embedded together (SCENE_BATCH_FRAMES). */
  batchFrames: number;
}

export interface SceneIdentifyDeps {
  vision: VisionPipeline;
  identify: IdentifyService;
  faces: FaceDatabaseSource;
  stash: () => StashClient;
  video: VideoFrameSource;
  store: IdentificationStore;
  /** The same decision and confidence as single images, fed with a person's accumulated evidence. */
  policy: MatchPolicy;
  defaults: SceneIdentifyDefaults;
  /** The body-proportion signal, when ENABLE_BODY_SIGNAL is on. */
  body?: BodySignal;
  logger: Logger;
}

/**
 * Pose runs per scene at most (about 60 ms each on a small CPU): a scene's frames show the same few people, so
 * the first frames that can show a body are enough for a median, and a long scene does not pay for hundreds.
 */
export const MAX_POSE_RUNS_PER_SCENE = 40;

interface Observed {
  observation: FaceObservation;
  embeddings: Record<string, Float32Array>;
  timestampSec: number | null;
  region: FaceRegion;
  body?: BodyMeasurement;
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
        let poseRuns = 0;

        // Frames are embedded a window at a time, so faces of neighbouring frames share the embedders' batches.
        const window: Frame[] = [];
        const flush = async () => {
          const frames = window.splice(0);
          const found: FrameFaces[] = [];
          let mark = performance.now();
          for (const frame of frames) found.push({ image: frame.image, faces: await deps.vision.detectFaces(frame.image) });
          timings.detectMs += performance.now() - mark;
          mark = performance.now();
          const embeddedByFrame = await deps.vision.embedFramesFaces(found);
          timings.embedMs += performance.now() - mark;
          for (const [f, frame] of frames.entries()) {
            const embedded = embeddedByFrame[f] ?? [];
            const matched = deps.identify.matchFaces(embedded, { topK: 10, maxDistance: options.maxDistance }, database);
            timings.searchMs += matched.searchMs;
            const report = reports.get(sourceName(frame.source));
            if (report) report.faces += embedded.length;
            const bodies: (BodyMeasurement | undefined)[] = [];
            if (deps.body) {
              const references = database.getBodyReferences(matched.faces.flatMap((face) => face.candidates.map((c) => c.performerId)));
              for (const [i, face] of embedded.entries()) {
                const wanted = poseRuns < MAX_POSE_RUNS_PER_SCENE && bodyCouldMatter(matched.faces[i]?.candidates ?? [], references);
                if (wanted) poseRuns += 1;
                bodies.push(wanted ? await deps.body.measure(frame.image, face.box) : undefined);
              }
            }
            for (const [i, face] of embedded.entries()) {
              const quality = assessFaceQuality(frame.image, face);
              observed.push({
                observation: {
                  frameKey: `${frame.source}:${frame.index}`,
                  vector: concatEmbeddings(face, deps.vision.embeddingModels),
                  quality: face.score * Math.min(face.box.width, face.box.height),
                  votes: quality.votes,
                  weight: quality.weight,
                  candidates: (matched.faces[i]?.candidates ?? []).map(({ performerId, distance }) => ({ performerId, distance })),
                },
                embeddings: face.embeddings,
                timestampSec: frame.timestampSec,
                // Only the pixels: the JPEG is made for the one face per person that is shown.
                region: await deps.vision.keepFaceRegion(frame.image, face.box),
                ...(bodies[i] ? { body: bodies[i] } : {}),
              });
            }
          }
        };

        let waitStarted = performance.now();
        for await (const frame of readSceneFrames(scene, { stash, video: deps.video, logger: deps.logger }, { sources, frameCount, signal }, reports)) {
          timings.framesMs += performance.now() - waitStarted;
          if (signal?.aborted) throw new SenseError('CANCELLED', `Identifying scene ${sceneId} was cancelled`);
          framesRead += 1;
          window.push(frame);
          if (window.length >= deps.defaults.batchFrames) await flush();
          waitStarted = performance.now();
        }
        await flush();

        let mark = performance.now();
        const taggedPerformerIds = taggedInFaceDatabase(scene, database, observed);
        const databaseFaces = database.info().faceCount;
        const clusters = clusterFaces(
          observed.map((item) => item.observation),
          {
            ...deps.defaults,
            topK: options.topK ?? deps.defaults.topK,
            taggedPerformerIds,
            confidence: (evidence) => deps.policy.confidence({ ...evidence, databaseFaces }),
            minConfidence: options.maxDistance == null ? deps.policy.minConfidence : 0,
            matchTemplate: (members) => matchTemplate(members.map((i) => observed[i]!), deps.identify, options.maxDistance, database),
          },
        );
        timings.clusterMs = performance.now() - mark;
        const bodyByCluster = deps.body ? applyBodyToClusters(clusters, observed, database) : undefined;

        mark = performance.now();
        const performers = database.getPerformers([...new Set(clusters.flatMap((cluster) => cluster.candidates.map((c) => c.performerId)))]);
        const links = await createPerformerLinker(stash).link([...performers.values()], signal);
        timings.linkMs = performance.now() - mark;

        const persons: ScenePerson[] = [];
        for (const [personId, cluster] of clusters.entries()) {
          const members = cluster.members.map((i) => observed[i]!);
          const body = bodyByCluster?.[personId];
          const candidates = (body?.candidates ?? cluster.candidates).flatMap((candidate): LinkedCandidate[] => {
            const performer = performers.get(candidate.performerId);
            if (!performer) return [];
            return [{ ...toCandidate(performer, candidate), frameCount: candidate.frameCount, alreadyTagged: candidate.alreadyTagged, link: links.get(performer.id) ?? notInLibrary }];
          });
          const best = observed[cluster.bestMember]!.region;
          const thumbnail = await deps.vision.cropFace(best.image, best.box, 128);
          persons.push({
            personId,
            faceCount: members.length,
            frameCount: cluster.frameKeys.length,
            timestamps: [...new Set(members.map((m) => m.timestampSec).filter((t): t is number => t !== null))].sort((a, b) => a - b),
            thumbnail: `data:image/jpeg;base64,${thumbnail.toString('base64')}`,
            status: candidates.length > 0 ? 'MATCHED' : 'UNKNOWN',
            candidates,
            ...(body ? { body: body.effect } : {}),
          });
        }
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

/**
 * A person's template: per model, the quality-weighted mean of the voting faces' embeddings, normalised, then
 * matched like one face. Averaging cancels what differs frame to frame (light, expression, blur) and keeps
 * what is the person's.
 */
function matchTemplate(members: readonly Observed[], identify: IdentifyService, maxDistance: number | null | undefined, database: FaceDatabase): TemplateMatch[] {
  const template: Record<string, Float32Array> = {};
  for (const member of members) {
    const weight = member.observation.weight ?? 1;
    for (const [model, vector] of Object.entries(member.embeddings)) {
      const sum = (template[model] ??= new Float32Array(vector.length));
      for (let d = 0; d < vector.length; d++) sum[d]! += weight * vector[d]!;
    }
  }
  for (const sum of Object.values(template)) l2Normalise(sum);
  return identify.rankEmbeddings(template, { topK: 10, maxDistance }, database).map(({ performerId, distance, margin }) => ({ performerId, distance, margin }));
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

function toCandidate(performer: PerformerRecord, scored: { distance: number; confidence: number; bodyMultiplier?: number }): Candidate {
  const { id, name, aliases, stashIds, country, imageUrl } = performer;
  const body = scored.bodyMultiplier === undefined ? {} : { bodyMultiplier: scored.bodyMultiplier };
  return { performerId: id, name, aliases, stashIds, country, imageUrl, distance: scored.distance, confidence: scored.confidence, ...body };
}

/**
 * The body signal per person: the median ratio over the person's measured frames against each candidate's
 * reference. A performer who is another person's best match is not made this person's best match too.
 */
function applyBodyToClusters(
  clusters: readonly { members: number[]; candidates: PersonCandidate[] }[],
  observed: readonly Observed[],
  database: FaceDatabase,
): { candidates: (PersonCandidate & { bodyMultiplier: number })[]; effect: BodyEffect }[] {
  const references = database.getBodyReferences([...new Set(clusters.flatMap((cluster) => cluster.candidates.map((c) => c.performerId)))]);
  const leaders = clusters.map((cluster) => cluster.candidates[0]?.performerId);
  return clusters.map((cluster, index) => {
    const measurement = combineMeasurements(cluster.members.map((i) => observed[i]!.body));
    const takenElsewhere = new Set(leaders.filter((id, other) => other !== index && id !== undefined));
    return adjustForBody(cluster.candidates, measurement, references, { mayLead: (performerId) => !takenElsewhere.has(performerId) });
  });
}
