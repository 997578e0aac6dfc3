import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { createServiceHandler, loadServiceKey } from '../../app-http.js';
import { openApp } from '../../app.js';
import { SenseError } from '../../errors.js';
import { sendJson, startServer, type HttpRoute } from '../../graphql/index.js';
import { createHealthRoutes } from '../../health/routes.js';
import type { Command } from '../command.js';

const help = `Usage: stash-sense serve [--data-dir DIR]

Runs the service: GraphQL (and GraphiQL) at /graphql, a status page at /, GET /health, and the Stash plugin
source at /plugin/index.yml, on HOST:PORT (default 0.0.0.0:5000). Jobs (tag-back, enrolment, imports, model
downloads) run here; CLI commands started beside it hand their jobs to it. Settings come from the environment
(see the README's configuration table).
`;

export const serve: Command = async ({ args, config, logger, signal, stdout, checkDataDir }) => {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false });
  if (values.help) {
    stdout.write(help);
    return;
  }
  await checkDataDir();
  const log = logger.child('serve');
  const workerOnly = config.queue.workerOnly;
  // A worker-only host takes scene steps from the queue; it keeps no job runner and serves no API. The embedded
  // models come with the package, so their absence is a broken install; stash-sense's are downloaded, and the
  // service starts without them (degraded) so they can be fetched through it.
  const app = await openApp(config, logger, { runJobs: !workerOnly, checkStash: true, allowMissingModels: config.vision.profile !== 'embedded' });
  let server;
  try {
    const healthRoutes = createHealthRoutes(app.services.health, { stashConfigured: app.config.stash !== null });
    // A worker-only host serves no API, so it needs no key.
    const apiKey = workerOnly ? null : await loadServiceKey(config, logger.child('auth'));
    const handler = workerOnly ? createHealthOnlyHandler(healthRoutes) : createServiceHandler(app, { logger: logger.child('http'), apiKey: apiKey?.key ?? null });
    server = await startServer(handler, config.server).catch((error: unknown) => {
      throw listenError(error, config.server);
    });
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

/** Names the setting to change when the address cannot be taken (the bare EADDRINUSE says nothing of PORT). */
function listenError(error: unknown, server: { host: string; port: number }): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new SenseError('CONFLICT', `PORT: ${server.port} is already in use on ${server.host} (another Stash Sense, or another program); set PORT to a free port or stop the other one`);
  }
  if (code === 'EACCES') return new SenseError('CONFLICT', `PORT: ${server.port} on ${server.host} needs privileges this user lacks; use a port above 1023`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new SenseError('CONFLICT', `HOST: ${server.host} is not an address of this machine; leave HOST unset (0.0.0.0) or use one of its addresses`);
  return error;
}
