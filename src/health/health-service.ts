import type { FaceDatabase } from '../faces/index.js';
import type { VisionPipeline } from '../vision/index.js';

export interface StashStatus {
  configured: boolean;
  url: string | null;
  reachable: boolean | null;
  version: string | null;
  error: string | null;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  databaseLoaded: boolean;
  performerCount: number;
  faceCount: number;
  executionProvider: 'cuda' | 'cpu';
  executionProviderReason: string;
  modelProfile: string;
  /** Model files the profile needs and lacks: the service runs, identification answers MODEL_MISSING. */
  missingModels: string[];
  stash: StashStatus;
}

/** The JSON `GET /health` answers, in the snake_case Docker health checks and the Python sidecar's users expect. */
export interface HealthJson {
  status: HealthReport['status'];
  database_loaded: boolean;
  performer_count: number;
  face_count: number;
  execution_provider: HealthReport['executionProvider'];
  model_profile: string;
  missing_models: string[];
  version: string;
}

export interface StashProbe {
  status(): Promise<StashStatus>;
}

export interface HealthService {
  report(): Promise<HealthReport>;
  /** Without Stash: fast and local, for the Docker HEALTHCHECK. */
  json(): HealthJson;
}

export function createHealthService(deps: {
  vision: VisionPipeline;
  faces: () => FaceDatabase | undefined;
  stash: StashProbe;
  version: string;
}): HealthService {
  const local = () => {
    const database = deps.faces();
    const info = database?.info();
    const missingModels = [...deps.vision.missingModels];
    return {
      status: database && missingModels.length === 0 ? ('ok' as const) : ('degraded' as const),
      version: deps.version,
      databaseLoaded: database !== undefined,
      performerCount: info?.performerCount ?? 0,
      faceCount: info?.faceCount ?? 0,
      executionProvider: deps.vision.executionProvider,
      executionProviderReason: deps.vision.executionProviderReason,
      modelProfile: deps.vision.profile,
      missingModels,
    };
  };
  return {
    async report() {
      return { ...local(), stash: await deps.stash.status() };
    },
    json() {
      const report = local();
      return {
        status: report.status,
        database_loaded: report.databaseLoaded,
        performer_count: report.performerCount,
        face_count: report.faceCount,
        execution_provider: report.executionProvider,
        model_profile: report.modelProfile,
        missing_models: report.missingModels,
        version: report.version,
      };
    },
  };
}

export const stashNotConfigured: StashProbe = {
  status: async () => ({ configured: false, url: null, reachable: null, version: null, error: null }),
};
