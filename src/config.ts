import { join, resolve } from 'node:path';
import type { LogLevel } from './logger.js';

export type ModelProfile = 'embedded' | 'stash-sense';
export type ExecutionProviderSetting = 'auto' | 'cuda' | 'cpu';

export interface Config {
  server: { host: string; port: number; maxUploadBytes: number; publicUrl: string | null; corsOrigins: string[] };
  paths: { dataDir: string; modelsDir: string };
  vision: {
    modelsDir: string;
    profile: ModelProfile;
    executionProvider: ExecutionProviderSetting;
    maxImagePixels: number;
    detectionThreshold: number;
    flip: boolean;
  };
  match: { maxDistance: number; topK: number };
  fetch: { urlTimeoutMs: number; maxDownloadBytes: number };
  stash: { url: string; apiKey: string | null; timeoutMs: number } | null;
  scene: { frameCount: number; ffmpegConcurrency: number };
  signals: { body: boolean; tattoo: boolean };
  tagBack: { suggestedTag: string };
  /** Where the Python stash-sense project's database releases are listed (a GitHub "latest release" JSON). */
  upstream: { releaseIndexUrl: string };
  logLevel: LogLevel;
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
 * The largest cosine distance still called a match, per profile. The embedded value is calibrated on the
 * shared photos: same-person pairs reach 0.48 at most, different people start at 0.75 (see README), so 0.6
 * sits in the gap. stash-sense keeps the Python sidecar's 0.5 for its fused FaceNet/ArcFace distance.
 */
export const defaultMaxDistance: Record<ModelProfile, number> = { embedded: 0.6, 'stash-sense': 0.5 };

/** Detector score thresholds: the embedded detector's library uses 0.65; SCRFD as the Python sidecar runs it, 0.5. */
export const defaultDetectionThreshold: Record<ModelProfile, number> = { embedded: 0.65, 'stash-sense': 0.5 };

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
    },
    paths: { dataDir, modelsDir },
    vision: {
      modelsDir,
      profile,
      executionProvider: read.oneOf('EXECUTION_PROVIDER', ['auto', 'cuda', 'cpu'] as const, 'auto'),
      maxImagePixels: Math.round(read.number('MAX_IMAGE_MEGAPIXELS', 100, { min: 1, max: 1000 }) * 1_000_000),
      detectionThreshold: read.number('DETECTION_THRESHOLD', defaultDetectionThreshold[profile], { min: 0.05, max: 0.99 }),
      flip: read.boolean('FLIP_EMBEDDINGS', true),
    },
    match: {
      maxDistance: read.number('MATCH_MAX_DISTANCE', defaultMaxDistance[profile], { min: 0.01, max: 2 }),
      topK: read.integer('MATCH_TOP_K', 5, { min: 1, max: 100 }),
    },
    fetch: {
      urlTimeoutMs: read.integer('URL_FETCH_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
      maxDownloadBytes: Math.round(read.number('MAX_UPLOAD_MB', 25, { min: 0.001, max: 1024 }) * 1024 * 1024),
    },
    stash: stashUrl
      ? { url: stashUrl, apiKey: env.STASH_API_KEY?.trim() || null, timeoutMs: read.integer('STASH_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }) }
      : null,
    scene: {
      frameCount: read.integer('SCENE_FRAMES', 60, { min: 1, max: 1000 }),
      ffmpegConcurrency: read.integer('FFMPEG_CONCURRENCY', 2, { min: 1, max: 32 }),
    },
    signals: { body: read.boolean('ENABLE_BODY_SIGNAL', true), tattoo: read.boolean('ENABLE_TATTOO_SIGNAL', false) },
    tagBack: { suggestedTag: read.string('SUGGESTED_TAG', 'Stash Sense: identified') },
    upstream: { releaseIndexUrl: read.url('UPSTREAM_RELEASE_INDEX_URL') ?? DEFAULT_UPSTREAM_RELEASE_INDEX_URL },
    logLevel: read.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };
  if (env.STASH_API_KEY && !stashUrl) problems.push('STASH_API_KEY: is set but STASH_URL is not; set STASH_URL to your Stash address');
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
    list: (name: string): string[] =>
      (raw(name) ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  };
}
