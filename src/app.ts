import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppServices } from './app-services.js';
import { defaultMaxDistance, type Config, type ModelProfile } from './config.js';
import { createEnrollFolderJob, createEnrollFromStashJob, createEnrollService } from './enroll/index.js';
import { SenseError } from './errors.js';
import { FACE_DATABASE_FILE, createFaceManagementService, openFaceDatabase, startLiveFaceDatabase, type FaceDatabase, type FaceManagementService, type LiveFaceDatabase } from './faces/index.js';
import { createVideoFrameSource } from './frames/index.js';
import { createHealthService, stashNotConfigured, type StashProbe } from './health/index.js';
import { createIdentifyService, createSceneIdentifyService, createStashMediaIdentifyService } from './identify/index.js';
import type { Logger } from './logger.js';
import { matchPolicyFor } from './match/index.js';
import { createBodySignal, openMoveNet, type BodySignal } from './pose/index.js';
import { openStateDatabase, type StateDatabase } from './state/index.js';
import { checkStash, createStashClient, type StashClient } from './stash/index.js';
import { startJobRunner, type JobRunner } from './jobs/index.js';
import { createStashBoxLinkService } from './link/index.js';
import { createRecommendationService, createUpstreamPerformerAnalysis, createUpstreamPerformersService, UPSTREAM_JOB_KIND } from './recommendations/index.js';
import { createStashBoxConnections } from './stashbox/index.js';
import { createDistributedTagBack, createSceneStepRunner, createTagBackQueue, openRedis, redisAddress, startSceneWorker } from './queue/index.js';
import { createJobsService, createTagBackBatch, createTagBackService, type JobKinds } from './tagback/index.js';
import { createWorkGate, gated } from './limits/index.js';
import { createImportService, createImportUpstreamJob } from './upstream/index.js';
import { createDownloadModelsJob } from './models/index.js';
import { openVisionOrDegraded, type ReplaceableVision, type VisionDeps } from './vision/index.js';
import { appVersion } from './version.js';

/** The embedding models each profile writes into the face database. */
export const profileModels: Record<ModelProfile, { name: string; dims: number }[]> = {
  embedded: [{ name: 'embedded', dims: 512 }],
  'stash-sense': [
    { name: 'facenet', dims: 512 },
    { name: 'arcface', dims: 512 },
  ],
};

/** How often the app looks for a face database version another process wrote (a stat; a read when it changed). */
const FACE_DATABASE_POLL_MS = 1000;

export interface App {
  config: Config;
  vision: ReplaceableVision;
  /** The face database now; a request takes a lease through `faceDatabase` instead. */
  faces(): FaceDatabase;
  faceDatabase: LiveFaceDatabase;
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
  /** What the vision pipeline is built from besides configuration (a test's failing session backend). */
  visionDeps?: VisionDeps;
  /**
   * Start without the profile's model files (the service does, for a profile whose models are downloaded):
   * health names what is missing, identification answers MODEL_MISSING, and a downloadModels job loads them.
   */
  allowMissingModels?: boolean;
  /** The model manifest (tests serve its files from a local server); default the packaged one. */
  modelManifestPath?: string;
}

/** Opens everything the service and the CLI share, logging each step in order. Closing reverses it. */
export async function openApp(config: Config, logger: Logger, options: OpenAppOptions = {}): Promise<App> {
  const log = logger.child('app');
  const closers: (() => Promise<void>)[] = [];
  try {
    // Decided before the face database is opened (which creates performers.db in a new folder): beside an existing
    // face database, a missing stash_sense.db is lost user state, not a new start.
    const faceDatabaseExisted = existsSync(join(config.paths.dataDir, FACE_DATABASE_FILE));
    log.info('loading face database', { dataDir: config.paths.dataDir, profile: config.vision.profile });
    const faceOptions = { dataDir: config.paths.dataDir, profile: config.vision.profile, models: profileModels[config.vision.profile] };
    // Another process (a CLI enrol, an import) may write the database while this one runs: the holder notices
    // and switches, and requests finish on the database they started with.
    const live = await startLiveFaceDatabase({
      dataDir: config.paths.dataDir,
      open: () => openFaceDatabase(faceOptions, logger.child('faces')),
      pollMs: FACE_DATABASE_POLL_MS,
      logger: logger.child('faces'),
    });
    closers.push(() => live.close());
    const info = live.current().info();
    log.info('face database loaded', { performers: info.performerCount, faces: info.faceCount, version: info.version });

    const vision = await openVisionOrDegraded(config.vision, logger.child('vision'), {
      allowMissingModels: options.allowMissingModels ?? false,
      tuning: options.modelManifestPath ? { manifestPath: options.modelManifestPath } : undefined,
      deps: options.visionDeps,
    });
    closers.push(() => vision.close());
    log.info('execution provider', { provider: vision.executionProvider, reason: vision.executionProviderReason });

    // Loaded only when the signal is on: the pose model costs start-up time and memory nobody else needs.
    let body: BodySignal | undefined;
    if (config.signals.body) {
      const started = performance.now();
      body = createBodySignal(await openMoveNet());
      const opened = body;
      closers.push(async () => opened.close());
      log.info('body signal loaded', { model: 'movenet-lightning', ms: Math.round(performance.now() - started) });
    } else log.info('body signal off (ENABLE_BODY_SIGNAL=false)');

    // A queue worker's face database is a copy (README, Several machines) and its state holds nothing of the
    // user's (the coordinator keeps the jobs), so a worker-only host starts its state empty.
    const missingState = faceDatabaseExisted && !config.queue.workerOnly ? 'refuse' : 'create';
    const state = await openStateDatabase(config.paths.dataDir, logger.child('state'), { missing: missingState });
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

    const faces = () => live.current();
    // The profile's fixed distance (or MATCH_MAX_DISTANCE) still scales scene clustering and gallery checks;
    // the naming decision itself follows the database's size unless MATCH_MAX_DISTANCE is set.
    const fixedDistance = config.match.maxDistance ?? defaultMaxDistance[config.vision.profile];
    const matchPolicy = matchPolicyFor(config.vision.profile, config.match.maxDistance, defaultMaxDistance[config.vision.profile]);
    const identify = createIdentifyService({
      vision,
      faces: live,
      limits: { maxBytes: config.server.maxUploadBytes, urlTimeoutMs: config.fetch.urlTimeoutMs, allowPrivateUrls: config.fetch.allowPrivateUrls },
      defaults: { topK: config.match.topK, policy: matchPolicy, searchK: 50 },
      ...(body ? { body } : {}),
      logger: logger.child('identify'),
    });
    const video = createVideoFrameSource({ logger: logger.child('frames'), defaults: { concurrency: config.scene.ffmpegConcurrency } });
    const scenes = createSceneIdentifyService({
      vision,
      identify,
      faces: live,
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
        batchFrames: config.scene.batchFrames,
      },
      ...(body ? { body } : {}),
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
    const stashBoxes = createStashBoxConnections({ stash, options: config.stashBox, logger: logger.child('stashbox') });
    // With QUEUE_URL, batch tag-back spreads its scenes over every worker sharing the Redis (several GPU hosts).
    const queueUrl = config.queue.url;
    const queueRedis = queueUrl ? openRedis(queueUrl, logger.child('queue')) : undefined;
    if (queueUrl && queueRedis) {
      closers.push(async () => queueRedis.disconnect());
      log.info('queue configured', { redis: redisAddress(queueUrl), worker: config.queue.worker, workerOnly: config.queue.workerOnly });
    }
    const tagBackQueue = queueRedis && options.runJobs ? createTagBackQueue(queueRedis) : undefined;
    if (tagBackQueue) closers.push(() => tagBackQueue.close());
    if (queueRedis && config.queue.worker && (options.runJobs || config.queue.workerOnly)) {
      const steps = createSceneStepRunner({
        redis: queueRedis,
        stash,
        scenes,
        tagBack,
        faces,
        reloadFaces: () => live.reload(),
        worker: config.queue.workerName,
        // A write is a few Stash calls of at most STASH_TIMEOUT_MS each; a claim outlives them comfortably.
        applyLockMs: Math.max(config.queue.lockMs, (config.stash?.timeoutMs ?? 30_000) * 4),
        logger: logger.child('queue'),
      });
      const worker = startSceneWorker({ connection: queueRedis, steps, name: config.queue.workerName, concurrency: config.queue.concurrency, lockMs: config.queue.lockMs, logger: logger.child('queue') });
      closers.push(() => worker.close());
    }
    const stashBoxLinks = createStashBoxLinkService({ stash, stashBoxes, logger: logger.child('stashbox-link') });
    // Enrolment takes the faces identification finds (same detector threshold); agreement between a performer's
    // photos, at the profile's same-person distance, decides which face of a group photo is theirs.
    const enrollPolicy = { minScore: config.vision.detectionThreshold, minFacePx: 32, agreeDistance: fixedDistance, maxFacesPerPhoto: 8 };
    const enroll = createEnrollService({ vision, faces: live, stash, policy: enrollPolicy, ...(body ? { body } : {}), logger: logger.child('enroll') });
    // An import installs a new face database under DATA_DIR; the live holder serves it, and requests already
    // running finish on the one they leased.
    const upstreamImport = createImportService({
      dataDir: config.paths.dataDir,
      profile: config.vision.profile,
      importRoot: config.paths.importDir,
      logger: logger.child('import'),
      releaseIndex: { url: config.upstream.releaseIndexUrl, timeoutMs: config.fetch.urlTimeoutMs },
      reopen: () => live.reload(),
    });
    let runner: JobRunner<JobKinds> | undefined;
    if (options.runJobs) {
      runner = await startJobRunner<JobKinds>({
        state,
        handlers: {
          upstreamPerformers: createUpstreamPerformerAnalysis({ stash, stashBoxes, state, logger: logger.child('upstream-performers') }),
          tagBack: tagBackQueue
            ? createDistributedTagBack({
                queue: tagBackQueue,
                stash,
                identifications: state,
                recommendations,
                faces,
                steps: (jobId) => state.jobStore.listSteps(jobId),
                cancelRequested: (jobId) => state.jobStore.getJob(jobId)?.cancelRequested ?? false,
                logger: logger.child('tagback'),
              })
            : createTagBackBatch({ stash, scenes, tagBack, identifications: state, recommendations, faces, logger: logger.child('tagback') }),
          downloadModels: createDownloadModelsJob({
            modelsDir: config.paths.modelsDir,
            manifestPath: options.modelManifestPath,
            // Only this process's own profile can be loaded in place; another profile's files wait for a restart.
            onInstalled: async (profile) => profile === config.vision.profile && (await vision.reload()),
            logger: logger.child('models'),
          }),
          enrollFolder: createEnrollFolderJob(enroll),
          enrollFromStash: createEnrollFromStashJob(enroll),
          importUpstream: createImportUpstreamJob(upstreamImport),
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
    const upstreamPerformers = createUpstreamPerformersService({
      stashBoxes,
      state,
      enqueue: (input) => {
        if (!runner) throw new SenseError('CONFLICT', 'Jobs run in the service (stash-sense serve); this command has no job runner');
        return runner.enqueueJob(UPSTREAM_JOB_KIND, input);
      },
      logger: logger.child('upstream-performers'),
    });
    const faceManagement = createFaceManagementService({ faces: live, logger: logger.child('faces') });
    // Requests share these caps (decoding a 100 MP image takes about 300 MB; a scene runs FFMPEG_CONCURRENCY
    // ffmpeg processes); the job runner calls the services directly and runs one scene at a time of its own.
    const { concurrentImages, concurrentScenes, retryAfterSeconds } = config.limits;
    const images = createWorkGate({ what: 'images', maxConcurrent: concurrentImages, retryAfterSeconds });
    const sceneGate = createWorkGate({ what: 'scenes', maxConcurrent: concurrentScenes, retryAfterSeconds });
    const services: AppServices = {
      health,
      identify: { ...identify, identifyImage: gated(images, identify.identifyImage) },
      scenes: { ...scenes, identifyScene: gated(sceneGate, scenes.identifyScene) },
      stashMedia: { identifyStashImage: gated(images, stashMedia.identifyStashImage), identifyGallery: gated(images, stashMedia.identifyGallery) },
      tagBack,
      enroll,
      jobs,
      recommendations,
      upstreamImport,
      upstreamPerformers,
      stashBoxLinks,
      faceDatabase: { info: () => live.current().info() },
      faceManagement,
      models: { startDownload: (profile) => jobs.start('downloadModels', { profile: profile ?? config.vision.profile }) },
    };
    return {
      config,
      vision,
      faces,
      faceDatabase: live,
      state,
      stash,
      services,
      close: () => closeAll(closers),
    };
  } catch (error: unknown) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * Only the face database and its management service: what `stash-sense faces` needs, without loading the vision
 * models. A running service picks its changes up by itself.
 */
export async function openFaceManagement(config: Config, logger: Logger): Promise<{ faces: FaceManagementService; close(): Promise<void> }> {
  const faceOptions = { dataDir: config.paths.dataDir, profile: config.vision.profile, models: profileModels[config.vision.profile] };
  const live = await startLiveFaceDatabase({
    dataDir: config.paths.dataDir,
    open: () => openFaceDatabase(faceOptions, logger.child('faces')),
    pollMs: FACE_DATABASE_POLL_MS,
    logger: logger.child('faces'),
  });
  return { faces: createFaceManagementService({ faces: live, logger: logger.child('faces') }), close: () => live.close() };
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
  closers.length = 0;
}
