import { checkFfmpeg } from '../frames/index.js';
import { sendJson, type HttpRoute } from '../graphql/index.js';
import type { HealthService } from './health-service.js';

/**
 * `GET /health` for Docker's HEALTHCHECK: answered locally, never waits on Stash.
 * `GET /health/ffmpeg`: whether scene identification can read video here.
 */
export function createHealthRoutes(health: HealthService, options: { stashConfigured: boolean } = { stashConfigured: false }): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/health/ffmpeg',
      handle: async (_request, response) => {
        const ffmpeg = await checkFfmpeg();
        sendJson(response, 200, { ffmpeg_available: ffmpeg.available, version: ffmpeg.version, scene_identification_ready: ffmpeg.available && options.stashConfigured });
      },
    },
    {
      method: 'GET',
      path: '/health',
      handle: (_request, response) => {
        const body = health.json();
        sendJson(response, body.status === 'ok' ? 200 : 503, body);
      },
    },
  ];
}
