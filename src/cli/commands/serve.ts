import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServiceHandler, loadServiceKey } from '../../app-http.js';
import { openApp } from '../../app.js';
import { sendJson, startServer, type HttpRoute } from '../../graphql/index.js';
import { createHealthRoutes } from '../../health/routes.js';
import type { Command } from '../command.js';

export const serve: Command = async ({ config, logger, signal }) => {
  const log = logger.child('serve');
  const workerOnly = config.queue.workerOnly;
  // A worker-only host takes scene steps from the queue; it keeps no job runner and serves no API.
  const app = await openApp(config, logger, { runJobs: !workerOnly, checkStash: true });
  let server;
  try {
    const healthRoutes = createHealthRoutes(app.services.health, { stashConfigured: app.config.stash !== null });
    // A worker-only host serves no API, so it needs no key.
    const apiKey = workerOnly ? null : await loadServiceKey(config, logger.child('auth'));
    const handler = workerOnly ? createHealthOnlyHandler(healthRoutes) : createServiceHandler(app, { logger: logger.child('http'), apiKey: apiKey?.key ?? null });
    server = await startServer(handler, config.server);
  } catch (error: unknown) {
    await app.close();
    throw error;
  }
  if (workerOnly) log.info('listening', { url: `${server.url}/health`, host: config.server.host, workerOnly: true });
  else log.info('listening', { url: `${server.url}/graphql`, host: config.server.host });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  log.info('shutting down');
  await server.close();
  await app.close();
  log.info('stopped');
};

/** Only GET /health and /health/ffmpeg (Docker's HEALTHCHECK); anything else is 404. */
function createHealthOnlyHandler(routes: HttpRoute[]): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = routes.find((candidate) => candidate.path === path && candidate.method === request.method);
    if (!route) {
      sendJson(response, 404, { error: 'This is a queue worker (WORKER_ONLY=true); its API is on the coordinating sidecar.' });
      return;
    }
    void Promise.resolve(route.handle(request, response)).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: 'Unexpected error.' });
    });
  };
}
