import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphiQLOptions } from 'graphql-yoga';
import { API_KEY_FILE } from '../auth/index.js';
import type { Config } from '../config.js';
import type { HttpRoute } from '../graphql/index.js';
import type { HealthService } from '../health/index.js';
import { PLUGIN_INDEX_PATH, requestOrigin } from '../plugin/index.js';
import { createOfflineGraphiQL } from './graphiql.js';
import { renderStatusPage, type AuthHint } from './status-page.js';

export interface WebPagesOptions {
  health: HealthService;
  /** PUBLIC_URL, or null to name the address each request came to. */
  publicUrl: string | null;
  /** TRUST_PROXY: forwarded headers name the address only when a reverse proxy the user configured sets them. */
  trustProxy?: boolean;
  auth: AuthHint;
  /** How long the page waits for Stash's answer before showing "not checked". */
  stashCheckMs?: number;
  /** The icon served at /icon.png (the unRAID template's and the page's); default plugin-bridge/icon.png. */
  iconFile?: string;
}

export const ICON_PATH = '/icon.png';

export interface WebPages {
  routes: HttpRoute[];
  renderGraphiQL: (options: GraphiQLOptions) => Promise<string>;
  notFound: HttpRoute['handle'];
}

/** `/` (a status page of ours), GraphiQL from our own package, and a plain 404 for every other path. */
export function createWebPages(options: WebPagesOptions): WebPages {
  const statusPage = async (request: IncomingMessage, response: ServerResponse) => {
    const local = options.health.json();
    const report = await Promise.race([
      options.health.report(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), options.stashCheckMs ?? 3000).unref()),
    ]);
    const base = options.publicUrl ?? requestOrigin(request, options.trustProxy ?? false);
    const html = renderStatusPage({
      version: local.version,
      status: local.status,
      databaseLoaded: local.database_loaded,
      performerCount: local.performer_count,
      faceCount: local.face_count,
      modelProfile: local.model_profile,
      executionProvider: local.execution_provider,
      executionProviderReason: report?.executionProviderReason ?? '',
      missingModels: local.missing_models,
      stash: report?.stash ?? null,
      pluginIndexUrl: `${base}${PLUGIN_INDEX_PATH}`,
      graphqlPath: '/graphql',
      auth: options.auth,
    });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  };
  const iconFile = options.iconFile ?? fileURLToPath(new URL('../../plugin-bridge/icon.png', import.meta.url));
  let icon: Promise<Buffer> | undefined;
  const iconRoute = async (_request: IncomingMessage, response: ServerResponse) => {
    icon ??= readFile(iconFile);
    const body = await icon.catch((error: unknown) => {
      icon = undefined;
      throw error;
    });
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length, 'cache-control': 'public, max-age=86400' });
    response.end(body);
  };
  return {
    routes: [
      { method: 'GET', path: '/', handle: statusPage },
      { method: 'GET', path: ICON_PATH, handle: iconRoute },
    ],
    renderGraphiQL: createOfflineGraphiQL(),
    notFound: (request, response) => {
      request.resume();
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(`Not found: ${(request.url ?? '/').split('?')[0]}\nStash Sense serves /, /graphql, /health and /plugin/index.yml.\n`);
    },
  };
}

/** Where the status page tells a user to find the API key (never the key itself). */
export function authHintFrom(config: Pick<Config, 'auth' | 'paths'>): AuthHint {
  if (config.auth.mode === 'none') return { kind: 'none' };
  return { kind: 'key', keyFile: join(config.paths.dataDir, API_KEY_FILE), fromEnv: config.auth.apiKey !== null };
}

