import type { FaceDatabaseInfo } from './faces/index.js';
import type { HealthService } from './health/index.js';
import type { IdentifyService } from './identify/index.js';

/** What resolvers may call: one service per concern, each built in src/app.ts. */
export interface AppServices {
  health: HealthService;
  faceDatabase: { info(): FaceDatabaseInfo };
  identify: IdentifyService;
}
