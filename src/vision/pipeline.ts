import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { PACKAGED_MANIFEST_PATH, loadModelManifest, verifyModelFiles } from '../models/index.js';
import type {
  Box,
  DetectedFace,
  EmbeddedFace,
  EmbeddingModelInfo,
  ExecutionProvider,
  ImageAnalysis,
  Point,
  RgbImage,
  StageTimings,
  VisionConfig,
} from './types.js';
import type { ProfileOpener } from './models.js';
import { decodeImage } from './decode.js';
import { createSessionFactory, type InferenceStats, type SessionBackend } from './onnx-sessions.js';
import { openEmbeddedProfile } from './embedded-profile.js';
import { openStashSenseProfile } from './stash-sense-profile.js';
import { ARCFACE_TEMPLATE_112, estimateSimilarity } from './similarity.js';
import { warpAffine } from './warp.js';
import { cropSquareJpeg, keepFaceRegion, type FaceRegion } from './image-ops.js';
import { DEFAULT_HEADSHOT_PADDING, withHeadshotPadding } from './detect-padding.js';

export interface VisionPipeline {
  readonly profile: string;
  /** Where the models run now: CUDA can turn into CPU while serving under EXECUTION_PROVIDER=auto. */
  readonly executionProvider: ExecutionProvider;
  /** e.g. "CUDA execution provider not available: <why>". */
  readonly executionProviderReason: string;
  readonly embeddingModels: readonly EmbeddingModelInfo[];
  /** Model files the profile lacks; non-empty only while the service runs degraded (see openVisionOrDegraded). */
  readonly missingModels: readonly string[];
  /** BAD_INPUT for empty, non-image, truncated or too large (checked from the header) input. */
  decodeImage(bytes: Uint8Array): Promise<RgbImage>;
  /**
   * Faces with box, score and 5 landmarks; small faces in big frames are found through tiles. `photo: true` (a
   * still photo, e.g. a performer headshot) also looks again on a padded copy when a face may fill the frame;
   * video frames skip that second look, which would cost a detection on every frame without a face.
   */
  detectFaces(image: RgbImage, options?: { photo?: boolean }): Promise<DetectedFace[]>;
  /** Align and embed, all faces of the call in as few model runs as the batch size allows. */
  embedFaces(image: RgbImage, faces: readonly DetectedFace[]): Promise<EmbeddedFace[]>;
  /** `embedFaces` for several frames at once: their faces share the embedders' batches. One list per frame. */
  embedFramesFaces(frames: readonly FrameFaces[]): Promise<EmbeddedFace[][]>;
  /** A signal that aborts stops the work between decoding, detection and embedding (CANCELLED). */
  analyzeImage(bytes: Uint8Array, signal?: AbortSignal): Promise<ImageAnalysis>;
  /** A square JPEG thumbnail of `sizePx` around the face, with some margin, for showing results. */
  cropFace(image: RgbImage, box: Box, sizePx: number): Promise<Buffer>;
  /**
   * The pixels `cropFace` would show for this face, copied so the frame can be dropped; `cropFace(region.image,
   * region.box, sizePx)` later makes the thumbnail, so only the faces finally shown pay for one.
   */
  keepFaceRegion(image: RgbImage, box: Box): Promise<FaceRegion>;
  /** Model runs and the time inside them since start-up, for benchmarks and the GPU check. */
  inferenceStats(): InferenceStats;
  close(): Promise<void>;
}

/** One frame and the faces found in it. */
export interface FrameFaces {
  image: RgbImage;
  faces: readonly DetectedFace[];
}

/** What the pipeline is built from besides configuration; tests pass a backend whose CUDA sessions fail. */
export interface VisionDeps {
  sessionBackend?: SessionBackend;
}

/** Knobs measured by bench/vision.bench.ts; the defaults are the measured best on a small shared CPU. */
export interface VisionTuning {
  intraOpNumThreads: number;
  allowSpinning: boolean;
  /**
   * Embedder batch in images (a flipped crop counts as one); 1 embeds one image per run. Measured on 2 vCPUs:
   * batches of 2–8 cost ~40 % less per image than single runs on an idle machine and the same when the cores
   * are saturated; a batch of 32 was slower (bench/vision.bench.ts).
   */
  embedBatchSize: number;
  /**
   * Detector regions per run (a frame's whole view, tiles and context windows); 1 runs them one by one. A
   * 1080p frame is 7 regions plus 2 per tile-only face, so 16 holds a frame in one run.
   */
  detectBatchSize: number;
  /** Landmark crops per run (64×64 each); 1 runs faces one by one. */
  landmarkBatchSize: number;
  /** The model manifest; defaults to the package's own `models/manifest.json`. */
  manifestPath: string;
}

export const DEFAULT_VISION_TUNING: VisionTuning = {
  intraOpNumThreads: 0,
  allowSpinning: false,
  embedBatchSize: 8,
  detectBatchSize: 16,
  landmarkBatchSize: 32,
  manifestPath: PACKAGED_MANIFEST_PATH,
};

// A new profile is one more opener here.
const profileOpeners: Record<VisionConfig['profile'], ProfileOpener> = {
  embedded: openEmbeddedProfile,
  'stash-sense': openStashSenseProfile,
};

/** Thumbnail side as a multiple of the face box, so hair and chin show. */
const CROP_MARGIN = 1.6;
/** A kept face region is at most this wide: twice the largest thumbnail we show (128 px) with room to spare. */
const KEPT_REGION_MAX_SIDE_PX = 384;

export async function createVisionPipeline(config: VisionConfig, logger: Logger, tuning: Partial<VisionTuning> = {}, deps: VisionDeps = {}): Promise<VisionPipeline> {
  const settings = { ...DEFAULT_VISION_TUNING, ...tuning };
  const started = performance.now();
  const manifest = await loadModelManifest(settings.manifestPath);
  const paths = await verifyModelFiles(config.modelsDir, config.profile, manifest);
  const ortTuning = { ...settings, cudaDeviceId: config.cudaDeviceId ?? 0 };
  const sessions = deps.sessionBackend
    ? createSessionFactory(config.executionProvider, ortTuning, logger, deps.sessionBackend)
    : createSessionFactory(config.executionProvider, ortTuning, logger);
  const models = await profileOpeners[config.profile]({
    paths,
    sessions,
    detectionThreshold: config.detectionThreshold,
    embedBatchSize: settings.embedBatchSize,
    detectBatchSize: settings.detectBatchSize,
    landmarkBatchSize: settings.landmarkBatchSize,
    logger,
  });
  const embeddingModels = models.embedders.map(({ name, dims }) => ({ name, dims }));
  // Boxes clipped to the image; tight headshots get a second look with a border (detect-padding.ts).
  const photoDetector = withHeadshotPadding(models.detector);
  const frameDetector = withHeadshotPadding(models.detector, { ...DEFAULT_HEADSHOT_PADDING, maxPixels: 0 });
  logger.info('vision models loaded', {
    profile: config.profile,
    provider: sessions.provider,
    embedders: embeddingModels.map(({ name }) => name).join(','),
    embedBatch: Math.min(...models.embedders.map((embedder) => embedder.maxBatch)),
    ms: Math.round(performance.now() - started),
  });

  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error('the vision pipeline is closed');
  };

  async function detect(image: RgbImage, timings: StageTimings, photo = false): Promise<DetectedFace[]> {
    ensureOpen();
    const start = performance.now();
    const candidates = await (photo ? photoDetector : frameDetector).detect(image);
    timings.detectMs += performance.now() - start;
    return withLandmarks(image, candidates, timings);
  }

  async function withLandmarks(image: RgbImage, faces: readonly { box: Box; score: number; landmarks?: Point[] }[], timings: StageTimings): Promise<DetectedFace[]> {
    const missing = faces.filter((face) => face.landmarks?.length !== 5);
    if (missing.length === 0) return faces.map((face) => ({ box: face.box, score: face.score, landmarks: face.landmarks ?? [] }));
    if (!models.landmarks) throw new SenseError('BAD_INPUT', 'A face without its 5 landmarks was given, and this model profile cannot locate them.');
    const start = performance.now();
    const located = await models.landmarks.locate(image, missing.map((face) => face.box));
    timings.landmarksMs += performance.now() - start;
    const byFace = new Map(missing.map((face, i) => [face, located[i]!]));
    return faces.map((face) => ({ box: face.box, score: face.score, landmarks: byFace.get(face) ?? face.landmarks ?? [] }));
  }

  async function embed(frames: readonly FrameFaces[], timings: StageTimings): Promise<EmbeddedFace[][]> {
    ensureOpen();
    const located = await Promise.all(frames.map(({ image, faces }) => (faces.length > 0 ? withLandmarks(image, faces, timings) : [])));
    const all = located.flatMap((faces, f) => faces.map((face) => ({ face, image: frames[f]!.image })));
    if (all.length === 0) return frames.map(() => []);
    let start = performance.now();
    const warp = models.warp ?? warpAffine;
    const aligned = all.map(({ face, image }) => warp(image, estimateSimilarity(face.landmarks, ARCFACE_TEMPLATE_112), 112, 112));
    timings.alignMs += performance.now() - start;
    start = performance.now();
    // On a GPU the models of a profile overlap; on the CPU each run already spreads over every core
    // (intraOpNumThreads 0), so two at once would only take turns.
    const vectors = new Map<string, Float32Array[]>();
    if (sessions.provider === 'cuda') {
      const results = await Promise.all(models.embedders.map((embedder) => embedder.embed(aligned, { flip: config.flip })));
      models.embedders.forEach((embedder, i) => vectors.set(embedder.name, results[i]!));
    } else {
      for (const embedder of models.embedders) vectors.set(embedder.name, await embedder.embed(aligned, { flip: config.flip }));
    }
    timings.embedMs += performance.now() - start;
    const embedded = all.map(({ face }, i) => ({
      ...face,
      embeddings: Object.fromEntries(models.embedders.map((embedder) => [embedder.name, vectors.get(embedder.name)![i]!])),
    }));
    let next = 0;
    return located.map((faces) => embedded.slice(next, (next += faces.length)));
  }

  return {
    profile: config.profile,
    get executionProvider() {
      return sessions.provider;
    },
    get executionProviderReason() {
      return sessions.reason;
    },
    embeddingModels,
    missingModels: [],
    decodeImage: (bytes) => decodeImage(bytes, config.maxImagePixels),
    detectFaces: (image, options) => detect(image, emptyTimings(), options?.photo === true),
    embedFaces: async (image, faces) => (await embed([{ image, faces }], emptyTimings()))[0]!,
    embedFramesFaces: (frames) => embed(frames, emptyTimings()),
    async analyzeImage(bytes, signal) {
      const timings = emptyTimings();
      const start = performance.now();
      const image = await decodeImage(bytes, config.maxImagePixels);
      timings.decodeMs = performance.now() - start;
      stopIfAborted(signal);
      const detected = await detect(image, timings, true);
      stopIfAborted(signal);
      const [faces = []] = await embed([{ image, faces: detected }], timings);
      logger.debug('image analysed', { width: image.width, height: image.height, faces: faces.length, ms: Math.round(performance.now() - start) });
      return { width: image.width, height: image.height, image, faces, timings };
    },
    cropFace: (image, box, sizePx) => cropSquareJpeg(image, box, sizePx, CROP_MARGIN),
    keepFaceRegion: (image, box) => keepFaceRegion(image, box, CROP_MARGIN, KEPT_REGION_MAX_SIDE_PX),
    inferenceStats: () => sessions.stats(),
    async close() {
      if (closed) return;
      closed = true;
      await models.close();
    },
  };
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SenseError('CANCELLED', 'Identifying the image was cancelled');
}

function emptyTimings(): StageTimings {
  return { decodeMs: 0, detectMs: 0, landmarksMs: 0, alignMs: 0, embedMs: 0 };
}
