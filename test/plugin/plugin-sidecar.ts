// The sidecar as the plugin's browser tests need it: the service's edge with authentication on, whose CORS and
// Origin check let in the Stash stand-in's origin, known only once that server has started.
import type { App } from '../../src/app.js';
import { loadServiceKey } from '../../src/app-http.js';
import { createCredentialCheck } from '../../src/auth/index.js';
import { createAddressCheck, createRequestHandler, startServer, type RunningServer } from '../../src/graphql/index.js';
import { createHealthRoutes } from '../../src/health/routes.js';
import type { Logger } from '../../src/logger.js';
import { allowedOrigins, corsOptions, createPluginRoutes } from '../../src/plugin/index.js';
import { appVersion } from '../../src/version.js';

export interface PluginSidecar {
  server: RunningServer;
  /** The key the plugin gets from its settings. */
  apiKey: string;
  /** Lets the Stash stand-in's origin through CORS and the Origin check. */
  allowOrigin(origin: string): void;
}

/** PUBLIC_URL unset: the plugin is built for the address Stash used to fetch it (127.0.0.1:<port>). */
export async function startPluginSidecar(app: App, logger: Logger): Promise<PluginSidecar> {
  let uiOrigin = 'http://127.0.0.1:1';
  const apiKey = (await loadServiceKey(app.config, logger))!.key;
  const server = () => ({ ...app.config.server, corsOrigins: [uiOrigin] });
  const handler = createRequestHandler({
    services: app.services,
    logger,
    maxUploadBytes: app.config.server.maxUploadBytes,
    routes: [...createHealthRoutes(app.services.health, { stashConfigured: true }), ...createPluginRoutes({ publicUrl: null, version: appVersion, logger })],
    cors: (request) => corsOptions({ server: server(), stash: app.config.stash })(request),
    credentials: createCredentialCheck(apiKey),
    addresses: (headers) =>
      createAddressCheck({ urls: [uiOrigin], allowedHosts: [], bindHost: '127.0.0.1', allowedOrigins: allowedOrigins({ server: server(), stash: app.config.stash }), trustProxy: false })(headers),
  });
  return {
    server: await startServer(handler, { host: '127.0.0.1', port: 0 }),
    apiKey,
    allowOrigin: (origin) => {
      uiOrigin = origin;
    },
  };
}
