import type { IncomingMessage, ServerResponse } from 'node:http';
import { openApp } from '../../app.js';
import { createRequestHandler, sendJson, startServer, type HttpRoute } from '../../graphql/index.js';
import { createHealthRoutes } from '../../health/routes.js';
import { corsOptions, createPluginRoutes } from '../../plugin/index.js';
import { appVersion } from '../../version.js';
import type { Command } from '../command.js';

export const serve: Command = async ({ config, logger, signal }) => {
  const log = logger.child('serve');
  const workerOnly = config.queue.workerOnly;
  // A worker-only host takes scene steps from the queue; it keeps no job runner and serves no API.
  const app = await openApp(config, logger, { runJobs: !workerOnly, checkStash: true });
  let server;
  try {
    const healthRoutes = createHealthRoutes(app.services.health, { stashConfigured: app.config.stash !== null });
    const handler = workerOnly
      ? createHealthOnlyHandler(healthRoutes)
      : createRequestHandler({
          services: app.services,
          logger: logger.child('http'),
          maxUploadBytes: config.server.maxUploadBytes,
          routes: [
            ...healthRoutes,
            ...createPluginRoutes({ publicUrl: config.server.publicUrl, version: appVersion, logger: logger.child('plugin') }),
          ],
          cors: corsOptions({ server: config.server, stash: config.stash }),
        });
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
