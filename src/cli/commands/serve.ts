import { openApp } from '../../app.js';
import { createRequestHandler, startServer } from '../../graphql/index.js';
import { createHealthRoutes } from '../../health/routes.js';
import { corsOptions, createPluginRoutes } from '../../plugin/index.js';
import { appVersion } from '../../version.js';
import type { Command } from '../command.js';

export const serve: Command = async ({ config, logger, signal }) => {
  const log = logger.child('serve');
  const app = await openApp(config, logger, { runJobs: true, checkStash: true });
  let server;
  try {
    const handler = createRequestHandler({
      services: app.services,
      logger: logger.child('http'),
      maxUploadBytes: config.server.maxUploadBytes,
      routes: [
        ...createHealthRoutes(app.services.health, { stashConfigured: app.config.stash !== null }),
        ...createPluginRoutes({ publicUrl: config.server.publicUrl, version: appVersion, logger: logger.child('plugin') }),
      ],
      cors: corsOptions({ server: config.server, stash: config.stash }),
    });
    server = await startServer(handler, config.server);
  } catch (error: unknown) {
    await app.close();
    throw error;
  }
  log.info('listening', { url: `${server.url}/graphql`, host: config.server.host });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  log.info('shutting down');
  await server.close();
  await app.close();
  log.info('stopped');
};
