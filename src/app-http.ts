// The service's HTTP edge, wired once for `stash-sense serve` and the tests: health, plugin and web pages, then
// /graphql behind the API key, the Host/Origin check, CSRF prevention and the query limits.
import type { App } from './app.js';
import { createCredentialCheck, loadApiKey, type LoadedApiKey } from './auth/index.js';
import type { Config } from './config.js';
import { createAddressCheck, createRequestHandler, type RequestHandler } from './graphql/index.js';
import { createHealthRoutes } from './health/routes.js';
import type { Logger } from './logger.js';
import { allowedOrigins, corsOptions, createPluginRoutes } from './plugin/index.js';
import { appVersion } from './version.js';
import { authHintFrom, createWebPages } from './web/index.js';

/**
 * The key /graphql requires, or null under AUTH=none. Start-up logs where the key is kept, never the key: logs
 * end up in bug reports. A warning at every start under AUTH=none keeps an open API from going unnoticed.
 */
export async function loadServiceKey(config: Config, logger: Logger): Promise<LoadedApiKey | null> {
  if (config.auth.mode === 'none') {
    logger.warn('AUTH=none: /graphql accepts requests without an API key; anyone who can reach this port can change your Stash. Use it only behind a reverse proxy that asks for a login');
    return null;
  }
  const loaded = await loadApiKey({ dataDir: config.paths.dataDir, apiKey: config.auth.apiKey }, logger);
  if (loaded.source.kind === 'env') logger.info('API key required on /graphql: the one in API_KEY (header ApiKey or Authorization: Bearer)');
  else {
    logger.info(loaded.source.created ? 'API key generated' : 'API key loaded', {
      file: loaded.source.file,
      use: 'send it in header ApiKey (or Authorization: Bearer); the Stash plugin takes it in Settings → Plugins → Stash Sense',
    });
  }
  return loaded;
}

export function createServiceHandler(app: App, options: { logger: Logger; apiKey: string | null }): RequestHandler {
  const { config } = app;
  const web = createWebPages({ health: app.services.health, publicUrl: config.server.publicUrl, trustProxy: config.server.trustProxy, auth: authHintFrom(config) });
  return createRequestHandler({
    services: app.services,
    logger: options.logger,
    maxUploadBytes: config.server.maxUploadBytes,
    routes: [
      ...createHealthRoutes(app.services.health, { stashConfigured: config.stash !== null }),
      ...createPluginRoutes({ publicUrl: config.server.publicUrl, trustProxy: config.server.trustProxy, version: appVersion, logger: options.logger.child('plugin') }),
      ...web.routes,
    ],
    renderGraphiQL: web.renderGraphiQL,
    notFound: web.notFound,
    cors: corsOptions({ server: config.server, stash: config.stash }),
    credentials: options.apiKey === null ? null : createCredentialCheck(options.apiKey),
    addresses: createAddressCheck({
      urls: [config.server.publicUrl, config.stash?.url, ...config.server.corsOrigins],
      allowedHosts: config.server.allowedHosts,
      bindHost: config.server.host,
      allowedOrigins: allowedOrigins({ server: config.server, stash: config.stash }),
      trustProxy: config.server.trustProxy,
    }),
  });
}
