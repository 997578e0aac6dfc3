import type { AppServices } from './app-services.js';
import { defaultMaxDistance, type Config, type ModelProfile } from './config.js';
import { createEnrollService } from './enroll/index.js';
import { SenseError } from './errors.js';
import { openFaceDatabase, type FaceDatabase } from './faces/index.js';
import { createVideoFrameSource } from './frames/index.js';
import { createHealthService, stashNotConfigured, type StashProbe } from './health/index.js';
import { createIdentifyService, createSceneIdentifyService, createStashMediaIdentifyService } from './identify/index.js';
import type { Logger } from './logger.js';
import { matchPolicyFor } from './match/index.js';
import { openStateDatabase, type StateDatabase } from './state/index.js';
import { checkStash, createStashClient, type StashClient } from './stash/index.js';
import { startJobRunner, type JobRunner } from './jobs/index.js';
import { createRecommendationService } from './recommendations/index.js';
import { createJobsService, createTagBackBatch, createTagBackService, type JobKinds } from './tagback/index.js';
import { createImportService } from './upstream/index.js';
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
  state: StateDatabase;
  /** The Stash client; throws STASH_UNAVAILABLE when STASH_URL is not set. */
  stash(): StashClient;
  services: AppServices;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /**
   * Start the job runner (the service, and `tag-back`): it resumes jobs a crash interrupted and holds the data
   * dir's runner lock. Commands that only read (identify) or write the face database (enroll) leave it off.
   */
  runJobs?: boolean;
  /** Ask Stash for its version at start-up and log the outcome (the service does; one-shot commands need not). */
  checkStash?: boolean;
}

/** Opens everything the service and the CLI share, logging each step in order. Closing reverses it. */
export async function openApp(config: Config, logger: Logger, options: OpenAppOptions = {}): Promise<App> {
  const log = logger.child('app');
  const closers: (() => Promise<void>)[] = [];
  try {
    log.info('loading face database', { dataDir: config.paths.dataDir, profile: config.vision.profile });
    const faceOptions = { dataDir: config.paths.dataDir, profile: config.vision.profile, models: profileModels[config.vision.profile] };
    let database = await openFaceDatabase(faceOptions, logger.child('faces'));
    closers.push(() => database.close());
    const info = database.info();
    log.info('face database loaded', { performers: info.performerCount, faces: info.faceCount, version: info.version });

    const vision = await createVisionPipeline(config.vision, logger.child('vision'));
    closers.push(() => vision.close());
    log.info('execution provider', { provider: vision.executionProvider, reason: vision.executionProviderReason });

    const state = await openStateDatabase(config.paths.dataDir, logger.child('state'));
    closers.push(() => state.close());
    log.info('recommendations database opened', { file: state.file });

    const stashClient = config.stash ? createStashClient(config.stash, logger.child('stash')) : undefined;
    if (!stashClient) log.info('stash not configured (set STASH_URL); image identification only');
    else if (!options.checkStash) log.info('stash configured', { url: stashClient.origin });
    else {
      // Reported, never fatal: the sidecar serves image identification while Stash is down, and retries on use.
      const status = await checkStash(stashClient, { signal: AbortSignal.timeout(5000) });
      if (status.reachable) log.info('stash connected', { url: status.url, version: status.version });
      else log.warn('stash not reachable', { url: status.url, error: status.error });
    }
    const stash = (): StashClient => {
      if (!stashClient) throw new SenseError('STASH_UNAVAILABLE', 'Stash is not configured: set STASH_URL (and STASH_API_KEY) and restart');
      return stashClient;
    };
    const stashProbe: StashProbe = stashClient ? { status: () => checkStash(stashClient) } : stashNotConfigured;

    const faces = () => database;
    // The profile's fixed distance (or MATCH_MAX_DISTANCE) still scales scene clustering and gallery checks;
    // the naming decision itself follows the database's size unless MATCH_MAX_DISTANCE is set.
    const fixedDistance = config.match.maxDistance ?? defaultMaxDistance[config.vision.profile];
    const matchPolicy = matchPolicyFor(config.vision.profile, config.match.maxDistance, defaultMaxDistance[config.vision.profile]);
    const identify = createIdentifyService({
      vision,
      faces,
      limits: { maxBytes: config.server.maxUploadBytes, urlTimeoutMs: config.fetch.urlTimeoutMs },
      defaults: { topK: config.match.topK, policy: matchPolicy, searchK: 50 },
      logger: logger.child('identify'),
    });
    const video = createVideoFrameSource({ logger: logger.child('frames'), defaults: { concurrency: config.scene.ffmpegConcurrency } });
    const scenes = createSceneIdentifyService({
      vision,
      identify,
      faces,
      stash,
      video,
      store: state,
      policy: matchPolicy,
      defaults: {
        frameCount: config.scene.frameCount,
        sources: ['STREAM', 'SPRITE', 'SCREENSHOT'],
        clusterDistance: fixedDistance * 1.2,
        taggedBoost: 0.03,
        topK: 3,
      },
      logger: logger.child('scenes'),
    });
    const stashMedia = createStashMediaIdentifyService({
      identify,
      stash,
      gallery: { singleImageMaxDistance: fixedDistance * 0.6, maxImages: 500 },
      logger: logger.child('gallery'),
    });
    const tagBack = createTagBackService({ stash, suggestedTagName: config.tagBack.suggestedTag, logger: logger.child('tagback') });
    const health = createHealthService({ vision, faces, stash: stashProbe, version: appVersion });
    const recommendations = createRecommendationService({ state, stash, logger: logger.child('recommendations') });
    let runner: JobRunner<JobKinds> | undefined;
    if (options.runJobs) {
      runner = await startJobRunner<JobKinds>({
        state,
        handlers: {
          tagBack: createTagBackBatch({ stash, scenes, tagBack, identifications: state, recommendations, faces, logger: logger.child('tagback') }),
        },
        logger: logger.child('jobs'),
      });
      const started = runner;
      closers.push(() => started.close());
      log.info('job runner started', { resumed: runner.jobs({ status: ['queued', 'running'] }).length });
    }
    const jobs = createJobsService(() => {
      if (!runner) throw new SenseError('CONFLICT', 'Jobs run in the service (stash-sense serve); this command has no job runner');
      return runner;
    });
    // Enrolment takes the faces identification finds (same detector threshold); agreement between a performer's
    // photos, at the profile's same-person distance, decides which face of a group photo is theirs.
    const enrollPolicy = { minScore: config.vision.detectionThreshold, minFacePx: 32, agreeDistance: fixedDistance, maxFacesPerPhoto: 8 };
    const enroll = createEnrollService({ vision, faces, stash, policy: enrollPolicy, logger: logger.child('enroll') });
    // An import installs a new face database under DATA_DIR; the app then serves it instead of the old one.
    const upstreamImport = createImportService({
      dataDir: config.paths.dataDir,
      profile: config.vision.profile,
      logger: logger.child('import'),
      reopen: async () => {
        const next = await openFaceDatabase(faceOptions, logger.child('faces'));
        const previous = database;
        database = next;
        await previous.close();
      },
    });
    return {
      config,
      vision,
      faces,
      state,
      stash,
      services: { health, identify, scenes, stashMedia, tagBack, enroll, jobs, recommendations, upstreamImport, faceDatabase: { info: () => database.info() } },
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
