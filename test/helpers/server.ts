import type { App } from '../../src/app.js';
import { createServiceHandler, loadServiceKey } from '../../src/app-http.js';
import { startServer, type RunningServer } from '../../src/graphql/index.js';
import { silentLogger, type Logger } from '../../src/logger.js';

export interface TestServer extends RunningServer {
  /** The key /graphql requires (from API_KEY or DATA_DIR/api-key), or null under AUTH=none. */
  apiKey: string | null;
  /** Headers a client sends with every request: the API key, when there is one. */
  authHeaders: Record<string, string>;
  /** POSTs one operation as JSON with the API key, as the plugin does. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<GraphQLResult<T>>;
}

/** The service's real HTTP edge over an app (exactly as `stash-sense serve` wires it), on a free loopback port. */
export async function startTestServer(app: App, options: { logger?: Logger } = {}): Promise<TestServer> {
  const logger = options.logger ?? silentLogger;
  const loaded = await loadServiceKey(app.config, logger);
  const apiKey = loaded?.key ?? null;
  const handler = createServiceHandler(app, { logger, apiKey });
  const server = await startServer(handler, { host: '127.0.0.1', port: 0 });
  const authHeaders: Record<string, string> = apiKey ? { ApiKey: apiKey } : {};
  return {
    ...server,
    apiKey,
    authHeaders,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders, ...init.headers },
        body: JSON.stringify({ query, variables }),
        signal: init.signal,
      });
      return (await response.json()) as GraphQLResult<T>;
    },
  };
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}
