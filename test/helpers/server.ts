import type { App } from '../../src/app.js';
import { createRequestHandler, startServer, type RunningServer } from '../../src/graphql/index.js';
import { createHealthRoutes } from '../../src/health/routes.js';
import { silentLogger } from '../../src/logger.js';
import { corsOptions, createPluginRoutes } from '../../src/plugin/index.js';
import { appVersion } from '../../src/version.js';

/** The service's real HTTP edge over an app, on a free loopback port. */
export async function startTestServer(app: App): Promise<RunningServer & { graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> }> {
  const handler = createRequestHandler({
    services: app.services,
    logger: silentLogger,
    maxUploadBytes: app.config.server.maxUploadBytes,
    routes: [
      ...createHealthRoutes(app.services.health, { stashConfigured: app.config.stash !== null }),
      ...createPluginRoutes({ publicUrl: app.config.server.publicUrl, version: appVersion, logger: silentLogger }),
    ],
    cors: corsOptions({ server: app.config.server, stash: app.config.stash }),
  });
  const server = await startServer(handler, { host: '127.0.0.1', port: 0 });
  return {
    ...server,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return (await response.json()) as GraphQLResult<T>;
    },
  };
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}
