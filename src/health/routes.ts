import { sendJson, type HttpRoute } from '../graphql/index.js';
import type { HealthService } from './health-service.js';

/** `GET /health` for Docker's HEALTHCHECK: answered locally, never waits on Stash. */
export function createHealthRoutes(health: HealthService): HttpRoute[] {
  return [
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
