import { createServiceHandler, loadServiceKey } from '../../app-http.js';
import { openApp } from '../../app.js';
import { startServer } from '../../graphql/index.js';
import type { Command } from '../command.js';

export const serve: Command = async ({ config, logger, signal }) => {
  const log = logger.child('serve');
  const app = await openApp(config, logger, { runJobs: true, checkStash: true });
  let server;
  try {
    const apiKey = await loadServiceKey(config, logger.child('auth'));
    const handler = createServiceHandler(app, { logger: logger.child('http'), apiKey: apiKey?.key ?? null });
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
