import type { AppServices } from './app-services.js';
import type { Config, ModelProfile } from './config.js';
import { createEnrollService, type EnrollService } from './enroll/index.js';
import { openFaceDatabase, type FaceDatabase } from './faces/index.js';
import { createHealthService, stashNotConfigured } from './health/index.js';
import { createIdentifyService } from './identify/index.js';
import type { Logger } from './logger.js';
import { createVisionPipeline, type VisionPipeline } from './vision/index.js';
import { appVersion } from './version.js';

/** The embedding models each profile writes into the face database. */
export const profileModels: Record<ModelProfile, { name: string; dims: number }[]> = {
  embedded: [{ name: 'embedded', dims: 512 }],
  'stash-sense': [
    { name: 'facenet', dims: 512 },
    { name: 'arcface', dims: 512 },
  ],
};

export interface App {
  config: Config;
  vision: VisionPipeline;
  faces(): FaceDatabase;
  services: AppServices;
  enroll: EnrollService;
  close(): Promise<void>;
}

/** Opens everything the service and the CLI share, logging each step in order. Closing reverses it. */
export async function openApp(config: Config, logger: Logger): Promise<App> {
  const log = logger.child('app');
  const closers: (() => Promise<void>)[] = [];
  try {
    log.info('loading face database', { dataDir: config.paths.dataDir, profile: config.vision.profile });
    const database = await openFaceDatabase(
      { dataDir: config.paths.dataDir, profile: config.vision.profile, models: profileModels[config.vision.profile] },
      logger.child('faces'),
    );
    closers.push(() => database.close());
    const info = database.info();
    log.info('face database loaded', { performers: info.performerCount, faces: info.faceCount, version: info.version });

    const vision = await createVisionPipeline({ ...config.vision, profile: 'embedded' }, logger.child('vision'));
    closers.push(() => vision.close());
    log.info('execution provider', { provider: vision.executionProvider, reason: vision.executionProviderReason });

    const faces = () => database;
    const identify = createIdentifyService({
      vision,
      faces,
      limits: { maxBytes: config.server.maxUploadBytes, urlTimeoutMs: config.fetch.urlTimeoutMs },
      defaults: { ...config.match, searchK: 50 },
      logger: logger.child('identify'),
    });
    const health = createHealthService({ vision, faces, stash: stashNotConfigured, version: appVersion });
    const enroll = createEnrollService({ vision, faces, policy: { minScore: 0.8, minFacePx: 32 }, logger: logger.child('enroll') });
    return {
      config,
      vision,
      faces,
      enroll,
      services: { health, identify, faceDatabase: { info: () => database.info() } },
      close: () => closeAll(closers),
    };
  } catch (error: unknown) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
}
