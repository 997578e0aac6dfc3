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
import { createSessionFactory } from './onnx-sessions.js';
import { openEmbeddedProfile } from './embedded-profile.js';
import { openStashSenseProfile } from './stash-sense-profile.js';
import { ARCFACE_TEMPLATE_112, estimateSimilarity } from './similarity.js';
import { warpAffine } from './warp.js';
import { cropSquareJpeg } from './image-ops.js';

export interface VisionPipeline {
  readonly profile: string;
  readonly executionProvider: ExecutionProvider;
  /** e.g. "CUDA execution provider not available: <why>". */
  readonly executionProviderReason: string;
  readonly embeddingModels: readonly EmbeddingModelInfo[];
  /** Model files the profile lacks; non-empty only while the service runs degraded (see openVisionOrDegraded). */
  readonly missingModels: readonly string[];
  /** BAD_INPUT for empty, non-image, truncated or too large (checked from the header) input. */
  decodeImage(bytes: Uint8Array): Promise<RgbImage>;
  /** Faces with box, score and 5 landmarks; small faces in big frames are found through tiles. */
  detectFaces(image: RgbImage): Promise<DetectedFace[]>;
  /** Align and embed, all faces of the call in as few model runs as the batch size allows. */
  embedFaces(image: RgbImage, faces: readonly DetectedFace[]): Promise<EmbeddedFace[]>;
  analyzeImage(bytes: Uint8Array): Promise<ImageAnalysis>;
  /** A square JPEG thumbnail of `sizePx` around the face, with some margin, for showing results. */
  cropFace(image: RgbImage, box: Box, sizePx: number): Promise<Buffer>;
  close(): Promise<void>;
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
  /** The model manifest; defaults to the package's own `models/manifest.json`. */
  manifestPath: string;
}

export const DEFAULT_VISION_TUNING: VisionTuning = {
  intraOpNumThreads: 0,
  allowSpinning: false,
  embedBatchSize: 8,
  manifestPath: PACKAGED_MANIFEST_PATH,
};

// A new profile is one more opener here.
const profileOpeners: Record<VisionConfig['profile'], ProfileOpener> = {
  embedded: openEmbeddedProfile,
  'stash-sense': openStashSenseProfile,
};

/** Thumbnail side as a multiple of the face box, so hair and chin show. */
const CROP_MARGIN = 1.6;

export async function createVisionPipeline(config: VisionConfig, logger: Logger, tuning: Partial<VisionTuning> = {}): Promise<VisionPipeline> {
  const settings = { ...DEFAULT_VISION_TUNING, ...tuning };
  const started = performance.now();
  const manifest = await loadModelManifest(settings.manifestPath);
  const paths = await verifyModelFiles(config.modelsDir, config.profile, manifest);
  const sessions = createSessionFactory(config.executionProvider, settings, logger);
  const models = await profileOpeners[config.profile]({
    paths,
    sessions,
    detectionThreshold: config.detectionThreshold,
    embedBatchSize: settings.embedBatchSize,
    logger,
  });
  const embeddingModels = models.embedders.map(({ name, dims }) => ({ name, dims }));
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

  async function detect(image: RgbImage, timings: StageTimings): Promise<DetectedFace[]> {
    ensureOpen();
    const start = performance.now();
    const candidates = await models.detector.detect(image);
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

  async function embed(image: RgbImage, input: readonly DetectedFace[], timings: StageTimings): Promise<EmbeddedFace[]> {
    ensureOpen();
    if (input.length === 0) return [];
    const faces = await withLandmarks(image, input, timings);
    let start = performance.now();
    const warp = models.warp ?? warpAffine;
    const aligned = faces.map((face) => warp(image, estimateSimilarity(face.landmarks, ARCFACE_TEMPLATE_112), 112, 112));
    timings.alignMs += performance.now() - start;
    start = performance.now();
    const vectors = new Map<string, Float32Array[]>();
    for (const embedder of models.embedders) vectors.set(embedder.name, await embedder.embed(aligned, { flip: config.flip }));
    timings.embedMs += performance.now() - start;
    return faces.map((face, i) => ({
      ...face,
      embeddings: Object.fromEntries(models.embedders.map((embedder) => [embedder.name, vectors.get(embedder.name)![i]!])),
    }));
  }

  return {
    profile: config.profile,
    executionProvider: sessions.provider,
    executionProviderReason: sessions.reason,
    embeddingModels,
    missingModels: [],
    decodeImage: (bytes) => decodeImage(bytes, config.maxImagePixels),
    detectFaces: (image) => detect(image, emptyTimings()),
    embedFaces: (image, faces) => embed(image, faces, emptyTimings()),
    async analyzeImage(bytes) {
      const timings = emptyTimings();
      const start = performance.now();
      const image = await decodeImage(bytes, config.maxImagePixels);
      timings.decodeMs = performance.now() - start;
      const faces = await embed(image, await detect(image, timings), timings);
      logger.debug('image analysed', { width: image.width, height: image.height, faces: faces.length, ms: Math.round(performance.now() - start) });
      return { width: image.width, height: image.height, faces, timings };
    },
    cropFace: (image, box, sizePx) => cropSquareJpeg(image, box, sizePx, CROP_MARGIN),
    async close() {
      if (closed) return;
      closed = true;
      await models.close();
    },
  };
}

function emptyTimings(): StageTimings {
  return { decodeMs: 0, detectMs: 0, landmarksMs: 0, alignMs: 0, embedMs: 0 };
}
