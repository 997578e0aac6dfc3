import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createFetch } from '@whatwg-node/fetch';
import { createSchema, createYoga, type YogaServerOptions } from 'graphql-yoga';
import type { AppServices } from '../app-services.js';
import type { CredentialCheck } from '../auth/index.js';
import type { Logger } from '../logger.js';
import type { AddressCheck } from './address-check.js';
import { createErrorMasker, graphqlErrorBody } from './errors.js';
import { queryLimitPlugins } from './limits.js';
import { resolvers } from './resolvers.generated.js';
import { typeDefs } from './typeDefs.generated.js';

export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(request: IncomingMessage, response: ServerResponse): Promise<void> | void;
}

export interface GraphQLServerOptions {
  services: AppServices;
  logger: Logger;
  maxUploadBytes: number;
  /** Plain HTTP routes served beside /graphql (health, plugin files). */
  routes: HttpRoute[];
  /** Which browser origins may call /graphql (the Stash UI's); Yoga's default would allow every origin. */
  cors: NonNullable<YogaServerOptions<object, object>['cors']>;
  /** Checks the API key on /graphql; null when AUTH=none. */
  credentials: CredentialCheck | null;
  /** Which Host and Origin headers /graphql answers (DNS rebinding, cross-site pages). */
  addresses: AddressCheck;
  /** GraphiQL's page (served offline from our own package); Yoga's default loads it from a CDN. */
  renderGraphiQL?: YogaServerOptions<object, object>['renderGraphiQL'];
  /** Answers any path that is neither a route nor Yoga's (Yoga's own answer is its developer landing page). */
  notFound?: HttpRoute['handle'];
}

/**
 * Headers a browser cannot send cross-site without a CORS preflight. A form post (multipart, urlencoded,
 * text/plain) or a plain GET must carry one of them, so no page elsewhere can make the user's browser run an
 * operation (Yoga's CSRF prevention). `graphql-preflight` is what curl users and Apollo clients already send.
 */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight', 'apikey', 'authorization'];

const GRAPHIQL_HEADERS = JSON.stringify({ ApiKey: 'the key from DATA_DIR/api-key (or API_KEY)' }, null, 2);


// The paths Yoga serves; every other path is ours (a route, or notFound).
const yogaPaths = new Set(['/graphql', '/graphql/', '/ready']);

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Builds the request handler: our routes first, then Yoga at /graphql (with GraphiQL). */
export function createRequestHandler({ services, logger, maxUploadBytes, routes, cors, credentials, addresses, renderGraphiQL, notFound }: GraphQLServerOptions): RequestHandler {
  // base64 uploads travel inside JSON: allow for the 4/3 expansion plus the query itself.
  const maxRequestBytes = Math.ceil(maxUploadBytes * 1.37) + 64 * 1024;
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers }),
    // The request's signal reaches the services: a client that hangs up stops the work it asked for.
    context: ({ request }) => ({ ...services, signal: request.signal }),
    graphqlEndpoint: '/graphql',
    // Yoga answers its own probe at /health otherwise; ours reports the face database.
    healthCheckEndpoint: '/ready',
    cors,
    // GraphiQL opens with the header the API needs; the user pastes the key in (it is never put in the page).
    graphiql: { title: 'Stash Sense', headers: credentials ? GRAPHIQL_HEADERS : '{}', shouldPersistHeaders: false },
    plugins: [useCSRFPrevention({ requestHeaders: CSRF_HEADERS }), ...queryLimitPlugins()],
    renderGraphiQL,
    landingPage: false,
    maskedErrors: { maskError: createErrorMasker(logger.child('graphql')), isDev: false },
    multipart: true,
    fetchAPI: createFetch({ formDataLimits: { fileSize: maxUploadBytes, files: 1, fieldSize: maxRequestBytes } }),
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0])),
    },
  });

  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    // Stash's package manager checks a cached plugin index with HEAD; a GET route answers it (Node drops the body).
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = routes.find((candidate) => candidate.path === path && candidate.method === method);
    if (route) {
      Promise.resolve(route.handle(request, response)).catch((error: unknown) => {
        logger.error('route failed', { path, error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'Unexpected error.' }));
      });
      return;
    }
    if (notFound && !yogaPaths.has(path ?? '')) {
      void Promise.resolve(notFound(request, response));
      return;
    }
    const refuse = (status: number, message: string, code: string, extra: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra });
      response.end(graphqlErrorBody(message, code));
      request.resume();
    };
    const address = addresses(request.headers);
    if (!address.ok) {
      refuse(403, address.reason, 'FORBIDDEN');
      return;
    }
    // A CORS preflight carries no credentials; Yoga answers it from the CORS settings.
    const graphiqlPage = method === 'GET' && path === '/graphql' && (request.headers.accept ?? '').includes('text/html');
    if (credentials && method !== 'OPTIONS' && !graphiqlPage && path !== '/ready' && !credentials(request.headers)) {
      refuse(401, 'An API key is required: send it in the ApiKey header (or Authorization: Bearer). It is in DATA_DIR/api-key, or API_KEY', 'UNAUTHENTICATED', {
        'www-authenticate': 'Bearer',
      });
      return;
    }
    const declared = Number(request.headers['content-length'] ?? NaN);
    // Node stops reading a body at its Content-Length, so requiring one caps a chunked body too.
    if (method === 'POST' && !Number.isFinite(declared)) {
      refuse(411, 'Send the request with a Content-Length header', 'BAD_INPUT');
      return;
    }
    if (declared > maxRequestBytes) {
      response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      response.end(graphqlErrorBody(`The request is larger than MAX_UPLOAD_MB allows (${(maxUploadBytes / 1024 / 1024).toFixed(1)} MB)`, 'PAYLOAD_TOO_LARGE'));
      request.resume();
      return;
    }
    void yoga(request, response);
  };
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one, as tests do). */
export async function startServer(handler: RequestHandler, options: { host: string; port: number }): Promise<RunningServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
