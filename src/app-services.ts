import type { EnrollService } from './enroll/index.js';
import type { FaceDatabaseInfo, FaceManagementService } from './faces/index.js';
import type { HealthService } from './health/index.js';
import type { Job } from './jobs/index.js';
import type { IdentifyService, SceneIdentifyService, StashMediaIdentifyService } from './identify/index.js';
import type { StashBoxLinkService } from './link/index.js';
import type { RecommendationService, UpstreamPerformersService } from './recommendations/index.js';
import type { JobsService, TagBackService } from './tagback/index.js';
import type { ImportService } from './upstream/index.js';

/** What resolvers may call: one service per concern, each built in src/app.ts. */
export interface AppServices {
  health: HealthService;
  faceDatabase: { info(): FaceDatabaseInfo };
  faceManagement: FaceManagementService;
  identify: IdentifyService;
  scenes: SceneIdentifyService;
  stashMedia: StashMediaIdentifyService;
  tagBack: TagBackService;
  enroll: EnrollService;
  jobs: JobsService;
  recommendations: RecommendationService;
  upstreamImport: ImportService;
  upstreamPerformers: UpstreamPerformersService;
  stashBoxLinks: StashBoxLinkService;
  /** Starts (or returns the unfinished) downloadModels job; the profile defaults to the running one. */
  models: { startDownload(profile?: string | null): Job };
}
