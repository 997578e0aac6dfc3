export {
  createHealthService,
  stashNotConfigured,
  type HealthService,
  type HealthReport,
  type HealthJson,
  type StashProbe,
  type StashStatus,
} from './health-service.js';
