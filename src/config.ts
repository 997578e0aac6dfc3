import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { LogLevel } from './logger.js';

export type ModelProfile = 'embedded' | 'stash-sense';
export type ExecutionProviderSetting = 'auto' | 'cuda' | 'cpu';

export type AuthMode = 'apikey' | 'none';

export interface Config {
  server: {
    host: string;
    port: number;
    maxUploadBytes: number;
    publicUrl: string | null;
    corsOrigins: string[];
    /** Host names (besides IP addresses, localhost and the configured URLs' hosts) that /graphql answers to. */
    allowedHosts: string[];
    /** Believe X-Forwarded-Host/-Proto: only behind a reverse proxy that sets them. */
    trustProxy: boolean;
  };
  /** `apiKey`: from API_KEY, or null to use (or create) DATA_DIR/api-key. */
  auth: { mode: AuthMode; apiKey: string | null };
  paths: { dataDir: string; modelsDir: string; importDir: string };
  /** Caps on concurrent heavy requests; past them a request gets BUSY instead of waiting. */
  limits: { concurrentImages: number; concurrentScenes: number; retryAfterSeconds: number };
  vision: {
    modelsDir: string;
    profile: ModelProfile;
    executionProvider: ExecutionProviderSetting;
    cudaDeviceId: number;
    maxImagePixels: number;
    detectionThreshold: number;
    flip: boolean;
  };
  /** maxDistance: MATCH_MAX_DISTANCE when set (a fixed limit); null lets the limit follow the face database's size. */
  match: { maxDistance: number | null; topK: number };
  fetch: { urlTimeoutMs: number; maxDownloadBytes: number; allowPrivateUrls: boolean };
  stash: { url: string; apiKey: string | null; timeoutMs: number } | null;
  scene: { frameCount: number; ffmpegConcurrency: number; batchFrames: number };
  /** The tattoo signal is not in this build: ENABLE_TATTOO_SIGNAL=true stops start-up, so it is always false here. */
  signals: { body: boolean; tattoo: false };
  tagBack: { suggestedTag: string };
  stashBox: { requestsPerMinute: number; timeoutMs: number; retries: number };
  queue: QueueConfig;
  /** Where the Python stash-sense project's database releases are listed (a GitHub "latest release" JSON). */
  upstream: { releaseIndexUrl: string };
  logLevel: LogLevel;
}

/** Batch tag-back over BullMQ on Redis (several hosts); `url: null` keeps the embedded SQLite runner. */
export interface QueueConfig {
  url: string | null;
  /** This process takes scene steps from the queue. */
  worker: boolean;
  /** A worker with no public API (only /health): an extra GPU host. */
  workerOnly: boolean;
  /** Scene steps this worker runs at once (its GPU's share). */
  concurrency: number;
  /** Shown per scene in a batch's items ("which worker did what"). */
  workerName: string;
  /** How long a worker's claim on a step lasts without renewal; a dead worker's step is retried after about this. */
  lockMs: number;
}

/** The Python stash-sense project publishes its face database as GitHub releases of carrotwaxr/stash-sense-data. */
export const DEFAULT_UPSTREAM_RELEASE_INDEX_URL = 'https://api.github.com/repos/carrotwaxr/stash-sense-data/releases/latest';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by `loadConfig` with every problem found, one line each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
}

/**
 * A fixed cosine distance per profile: the match limit of a profile without a fitted calibration (stash-sense
 * keeps the Python sidecar's 0.5 for its fused FaceNet/ArcFace distance), and the scale of scene clustering.
 * The embedded profile names faces by a size-aware limit instead (src/match/open-set.ts) unless
 * MATCH_MAX_DISTANCE is set. 0.6 sat in the gap on the shared photos: same-person pairs reach 0.48, different
 * people start at 0.75.
 */
export const defaultMaxDistance: Record<ModelProfile, number> = { embedded: 0.6, 'stash-sense': 0.5 };

/** Detector score thresholds: the embedded detector's library uses 0.65; SCRFD as the Python sidecar runs it, 0.5. */
export const defaultDetectionThreshold: Record<ModelProfile, number> = { embedded: 0.65, 'stash-sense': 0.5 };

/**
 * Frames whose faces go through the embedder together. A 1080p scene frame holds 1–3 faces, so 4 frames fill
 * the default embedder batch of 8 (flips included) on the CPU; on a GPU, larger windows (16–32) keep the card
 * busy between launches.
 */
export const DEFAULT_SCENE_BATCH_FRAMES = 4;

export function loadConfig(env: Env, overrides: { dataDir?: string } = {}): Config {
  const problems: string[] = [];
  const read = createReader(env, problems);

  const profile = read.oneOf('MODEL_PROFILE', ['embedded', 'stash-sense'] as const, 'embedded');
  const dataDir = resolve(overrides.dataDir ?? read.string('DATA_DIR', './data'));
  // The stash-sense profile's models are downloaded by the user (or a downloadModels job): by default they live
  // in the data folder, which the service's user can write and which survives an image upgrade. The embedded
  // profile's come with the package.
  const modelsDir = resolve(read.string('MODELS_DIR', profile === 'stash-sense' ? join(dataDir, 'models') : './models'));
  const stashUrl = read.url('STASH_URL');
  const config: Config = {
    server: {
      host: read.string('HOST', '0.0.0.0'),
      port: read.port('PORT', 5000),
      maxUploadBytes: Math.round(read.number('MAX_UPLOAD_MB', 25, { min: 0.001, max: 1024 }) * 1024 * 1024),
      publicUrl: read.url('PUBLIC_URL'),
      corsOrigins: read.list('CORS_ORIGINS'),
      allowedHosts: read.list('ALLOWED_HOSTS').map((host) => host.toLowerCase()),
      trustProxy: read.boolean('TRUST_PROXY', false),
    },
    auth: { mode: read.oneOf('AUTH', ['apikey', 'none'] as const, 'apikey'), apiKey: read.secret('API_KEY') },
    paths: { dataDir, modelsDir, importDir: resolve(read.string('IMPORT_DIR', dataDir)) },
    limits: {
      concurrentImages: read.integer('MAX_CONCURRENT_IMAGES', 2, { min: 1, max: 64 }),
      concurrentScenes: read.integer('MAX_CONCURRENT_SCENES', 2, { min: 1, max: 16 }),
      retryAfterSeconds: 5,
    },
    vision: {
      modelsDir,
      profile,
      executionProvider: read.oneOf('EXECUTION_PROVIDER', ['auto', 'cuda', 'cpu'] as const, 'auto'),
      cudaDeviceId: read.integer('CUDA_DEVICE', 0, { min: 0, max: 63 }),
      maxImagePixels: Math.round(read.number('MAX_IMAGE_MEGAPIXELS', 100, { min: 1, max: 1000 }) * 1_000_000),
      detectionThreshold: read.number('DETECTION_THRESHOLD', defaultDetectionThreshold[profile], { min: 0.05, max: 0.99 }),
      flip: read.boolean('FLIP_EMBEDDINGS', true),
    },
    match: {
      maxDistance: env.MATCH_MAX_DISTANCE?.trim() ? read.number('MATCH_MAX_DISTANCE', 0, { min: 0.01, max: 2 }) : null,
      topK: read.integer('MATCH_TOP_K', 5, { min: 1, max: 100 }),
    },
    fetch: {
      urlTimeoutMs: read.integer('URL_FETCH_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
      maxDownloadBytes: Math.round(read.number('MAX_UPLOAD_MB', 25, { min: 0.001, max: 1024 }) * 1024 * 1024),
      allowPrivateUrls: read.boolean('ALLOW_PRIVATE_URLS', false),
    },
    stash: stashUrl
      ? { url: stashUrl, apiKey: env.STASH_API_KEY?.trim() || null, timeoutMs: read.integer('STASH_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }) }
      : null,
    scene: {
      frameCount: read.integer('SCENE_FRAMES', 60, { min: 1, max: 1000 }),
      batchFrames: read.integer('SCENE_BATCH_FRAMES', DEFAULT_SCENE_BATCH_FRAMES, { min: 1, max: 64 }),
      ffmpegConcurrency: read.integer('FFMPEG_CONCURRENCY', 2, { min: 1, max: 32 }),
    },
    signals: { body: read.boolean('ENABLE_BODY_SIGNAL', true), tattoo: false },
    tagBack: { suggestedTag: read.string('SUGGESTED_TAG', 'Stash Sense: identified') },
    stashBox: {
      // Half of Stash's own default (240 a minute per stash-box): the sidecar's checks run beside the user's own tagging.
      requestsPerMinute: read.integer('STASHBOX_REQUESTS_PER_MINUTE', 120, { min: 1, max: 6000 }),
      timeoutMs: read.integer('STASHBOX_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
      retries: read.integer('STASHBOX_RETRIES', 2, { min: 0, max: 10 }),
    },
    queue: {
      url: read.redisUrl('QUEUE_URL'),
      worker: read.boolean('WORKER', true),
      workerOnly: read.boolean('WORKER_ONLY', false),
      concurrency: read.integer('WORKER_CONCURRENCY', 1, { min: 1, max: 64 }),
      workerName: read.string('WORKER_NAME', hostname()),
      // BullMQ's own default; a lower value retries a dead worker's scene sooner but risks a busy one losing it.
      lockMs: read.integer('QUEUE_LOCK_MS', 30_000, { min: 1000, max: 3_600_000 }),
    },
    upstream: { releaseIndexUrl: read.url('UPSTREAM_RELEASE_INDEX_URL') ?? DEFAULT_UPSTREAM_RELEASE_INDEX_URL },
    logLevel: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };
  if (read.boolean('ENABLE_TATTOO_SIGNAL', false)) {
    problems.push('ENABLE_TATTOO_SIGNAL: the tattoo signal is not available in this build of Stash Sense; set ENABLE_TATTOO_SIGNAL=false (or remove it)');
  }
  if (env.STASH_API_KEY && !stashUrl) problems.push('STASH_API_KEY: is set but STASH_URL is not; set STASH_URL to your Stash address');
  if (config.queue.workerOnly && !config.queue.url) problems.push('WORKER_ONLY: is true but QUEUE_URL is not set; a worker needs the queue (redis://…)');
  if (config.queue.workerOnly && !config.queue.worker) problems.push('WORKER_ONLY: is true but WORKER is false; a worker-only process must be a worker');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function createReader(env: Env, problems: string[]) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const fail = <T>(name: string, value: string, why: string, fallback: T): T => {
    problems.push(`${name}: "${value}" ${why}`);
    return fallback;
  };
  return {
    string: (name: string, fallback: string) => raw(name) ?? fallback,
    /** A credential: checked for shape, and never echoed in a problem line. */
    secret(name: string): string | null {
      const value = raw(name);
      if (value === undefined) return null;
      if (value.length < 16 || /[\s,]/.test(value)) {
        problems.push(`${name}: is shorter than 16 characters or holds spaces or commas; use a long random value`);
        return null;
      }
      return value;
    },
    port(name: string, fallback: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const port = Number(value);
      return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : fail(name, value, 'is not a port number', fallback);
    },
    number(name: string, fallback: number, range: { min: number; max: number }): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!Number.isFinite(number)) return fail(name, value, 'is not a number', fallback);
      if (number < range.min || number > range.max) return fail(name, value, `is not between ${range.min} and ${range.max}`, fallback);
      return number;
    },
    integer(name: string, fallback: number, range: { min: number; max: number }): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!Number.isInteger(number)) return fail(name, value, 'is not a whole number', fallback);
      if (number < range.min || number > range.max) return fail(name, value, `is not between ${range.min} and ${range.max}`, fallback);
      return number;
    },
    boolean(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      return fail(name, value, 'is not true or false', fallback);
    },
    oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      return (allowed as readonly string[]).includes(value) ? (value as T) : fail(name, value, `is not one of ${allowed.join(', ')}`, fallback);
    },
    url(name: string): string | null {
      const value = raw(name);
      if (value === undefined) return null;
      try {
        const url = new URL(value);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(name, value, 'is not an http(s) URL', null);
        return value.replace(/\/+$/, '');
      } catch {
        return fail(name, value, 'is not a URL', null);
      }
    },
    /** A Redis URL; the message never repeats it, since it may carry a password. */
    redisUrl(name: string): string | null {
      const value = raw(name);
      if (value === undefined) return null;
      let protocol: string;
      try {
        protocol = new URL(value).protocol;
      } catch {
        problems.push(`${name}: is not a URL (expected redis://host:6379)`);
        return null;
      }
      if (protocol !== 'redis:' && protocol !== 'rediss:') {
        problems.push(`${name}: is not a redis:// or rediss:// URL`);
        return null;
      }
      return value;
    },
    list: (name: string): string[] =>
      (raw(name) ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  };
}
