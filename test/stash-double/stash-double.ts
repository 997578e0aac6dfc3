import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  execute,
  getOperationAST,
  GraphQLError,
  isObjectType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import type { DoubleContext } from './context.js';
import {
  createStore,
  galleryRecord,
  imageRecord,
  performerRecord,
  sceneRecord,
  tagRecord,
  type GalleryFixture,
  type ImageFixture,
  type PerformerFixture,
  type SceneFixture,
  type StashDoubleFixtures,
  type StashStore,
  type TagFixture,
} from './fixtures.js';
import { serveMedia } from './media-routes.js';
import { stashResolvers } from './resolvers.js';
import { buildStashSchema } from './schema.js';

/**
 * `up` answers normally; `down` answers 503 to everything; `drop` closes each connection without a word
 * (a network error; Node's fetch may resend such a request once by itself, so count `down` retries, not `drop`); `slow` waits `delayMs` (default 10 s) before answering; `refuseKey` answers 401 whatever
 * key is sent, as Stash does for a wrong one.
 */
export type StashDoubleMode = 'up' | 'down' | 'drop' | 'slow' | 'refuseKey';

export interface RecordedMutation {
  /** The root field: `bulkSceneUpdate`, `tagCreate`, … */
  field: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  /** The field's arguments after variables are substituted, e.g. `{ input: { ids, performer_ids: { ids, mode: 'ADD' } } }`. */
  args: Record<string, unknown>;
  /** Set when Stash would have refused it (an unknown id, a duplicate name). */
  error?: string;
}

export interface RecordedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  kind: 'graphql' | 'media' | 'other';
  operationName: string | null;
  /** 0 when the connection was dropped. */
  status: number;
  keyVia: 'header' | 'query' | 'none';
  range: string | null;
}

export interface StashDoubleOptions extends StashDoubleFixtures {
  /** Default: a random key. `null`: a Stash with no credentials configured, open to all. */
  apiKey?: string | null;
}

export interface StashDouble {
  /** `http://127.0.0.1:PORT` — what STASH_URL would be. */
  url: string;
  apiKey: string | null;
  mutations: RecordedMutation[];
  requests: RecordedRequest[];
  /** The live state, for assertions (`store.scenes.get('1')?.performerIds`). */
  store: StashStore;
  setMode(mode: StashDoubleMode, options?: { delayMs?: number }): void;
  /** Media requests (screenshots, sprites, streams, images) wait from now until the returned function is called. */
  holdMedia(): () => void;
  addScene(scene: SceneFixture): void;
  addImage(image: ImageFixture): void;
  addGallery(gallery: GalleryFixture): void;
  addPerformer(performer: PerformerFixture): void;
  addTag(tag: TagFixture): void;
  close(): Promise<void>;
}

let sharedSchema: GraphQLSchema | undefined;

/** Stash's real schema with the double's resolvers attached; the resolvers read all state from the context. */
export function stashDoubleSchema(): GraphQLSchema {
  sharedSchema ??= attachResolvers(buildStashSchema());
  return sharedSchema;
}

export async function createStashDouble(options: StashDoubleOptions = {}): Promise<StashDouble> {
  const schema = stashDoubleSchema();
  const apiKey = options.apiKey === undefined ? randomBytes(24).toString('base64url') : options.apiKey;
  const store = createStore(options);
  const mutations: RecordedMutation[] = [];
  const requests: RecordedRequest[] = [];
  let mode: StashDoubleMode = 'up';
  let slowDelayMs = 10_000;
  const pendingDelays = new Set<() => void>();
  let mediaHeld: Promise<void> | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stash.invalid');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      kind: url.pathname === '/graphql' ? 'graphql' : /^\/(scene|image|performer|gallery)\//.test(url.pathname) ? 'media' : 'other',
      operationName: null,
      status: 0,
      keyVia: req.headers.apikey ? 'header' : url.searchParams.has('apikey') ? 'query' : 'none',
      range: req.headers.range ?? null,
    };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    handle(req, res, url, record).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, record: RecordedRequest): Promise<void> {
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    if (mode === 'down') return send(res, 503, 'text/plain', 'Service Unavailable');
    if (mode === 'slow') {
      const finished = await delay(slowDelayMs);
      if (!finished) return;
    }
    if (record.kind === 'media' && mediaHeld) await mediaHeld;
    const auth = authenticate(req, url);
    if (auth === 'refused') {
      res.setHeader('WWW-Authenticate', 'FormBased');
      return send(res, 401, 'text/plain', '');
    }
    if (auth === 'login') {
      res.setHeader('Location', `/login?returnURL=${encodeURIComponent(url.pathname + url.search)}`);
      return send(res, 302, 'text/plain', '');
    }
    if (url.pathname === '/graphql' && (req.method === 'POST' || req.method === 'GET')) {
      return handleGraphql(req, res, url, record);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (url.pathname === '/login') return send(res, 200, 'text/html', '<html><body>Stash login</body></html>');
      if (await serveMedia(req, res, url.pathname, store)) return;
    }
    send(res, 404, 'text/plain', '404 page not found');
  }

  /** Stash's rules: the `ApiKey` header, else the `apikey` parameter; a wrong key is 401 everywhere. */
  function authenticate(req: IncomingMessage, url: URL): 'ok' | 'refused' | 'login' {
    if (mode === 'refuseKey') return 'refused';
    if (apiKey === null || url.pathname.startsWith('/login')) return 'ok';
    const header = req.headers.apikey;
    const given = (Array.isArray(header) ? header[0] : header) || url.searchParams.get('apikey');
    if (given) return given === apiKey ? 'ok' : 'refused';
    const extension = path.extname(url.pathname);
    if (url.pathname === '/graphql' || (extension !== '' && extension !== '.html')) return 'refused';
    return 'login';
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL, record: RecordedRequest): Promise<void> {
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body =
        req.method === 'GET'
          ? {
              query: url.searchParams.get('query'),
              variables: JSON.parse(url.searchParams.get('variables') ?? 'null'),
              operationName: url.searchParams.get('operationName'),
            }
          : (JSON.parse((await readBody(req)).toString('utf8')) as typeof body);
    } catch (error: unknown) {
      return sendJson(res, 400, { errors: [{ message: `json request body could not be decoded: ${String(error)}` }], data: null });
    }
    if (typeof body.query !== 'string' || body.query === '') {
      return sendJson(res, 422, { errors: [{ message: 'no operation provided', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }], data: null });
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error: unknown) {
      const message = error instanceof GraphQLError ? error.message : String(error);
      return sendJson(res, 422, { errors: [{ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }], data: null });
    }
    const operationName = typeof body.operationName === 'string' && body.operationName ? body.operationName : null;
    record.operationName = getOperationAST(document, operationName)?.name?.value ?? operationName;
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) {
      return sendJson(res, 422, { errors: validationErrors.map((e) => rejection(e)), data: null });
    }
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const context: DoubleContext = {
      store,
      baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
      apiKey,
      recordMutation: (field, args) => {
        const recorded: RecordedMutation = { field, operationName: record.operationName, variables: structuredClone(variables), args: structuredClone(args) };
        mutations.push(recorded);
        return recorded;
      },
    };
    const result = await execute({ schema, document, variableValues: variables, operationName, contextValue: context });
    // No `data` means execution never started: variables that do not fit, which Stash answers with 422.
    if (!('data' in result) || result.data === undefined) {
      return sendJson(res, 422, { errors: (result.errors ?? []).map((e) => rejection(e)), data: null });
    }
    sendJson(res, 200, result.errors ? { errors: result.errors.map((e) => e.toJSON()), data: result.data } : { data: result.data });
  }

  function delay(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        pendingDelays.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        pendingDelays.delete(cancel);
        resolve(true);
      }, ms);
      pendingDelays.add(cancel);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    mutations,
    requests,
    store,
    setMode(next, modeOptions = {}) {
      mode = next;
      if (modeOptions.delayMs !== undefined) slowDelayMs = modeOptions.delayMs;
    },
    holdMedia() {
      let release = () => {};
      mediaHeld = new Promise<void>((resolve) => (release = resolve));
      const held = mediaHeld;
      return () => {
        if (mediaHeld === held) mediaHeld = undefined;
        release();
      };
    },
    addScene: (scene) => void store.scenes.set(scene.id, sceneRecord(scene, store)),
    addImage: (image) => void store.images.set(image.id, imageRecord(image, store)),
    addGallery: (gallery) => void store.galleries.set(gallery.id, galleryRecord(gallery)),
    addPerformer: (performer) => void store.performers.set(performer.id, performerRecord(performer)),
    addTag: (tag) => void store.tags.set(tag.id, tagRecord(tag)),
    async close() {
      for (const cancel of [...pendingDelays]) cancel();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolvers onto Stash's schema. Every other root field fails by name, so a test never reads a silent null. */
function attachResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(stashResolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`Stash's schema has no object type ${typeName}`);
    const typeFields = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = typeFields[fieldName];
      if (!field) throw new Error(`Stash's schema has no field ${typeName}.${fieldName}`);
      field.resolve = resolve as GraphQLFieldResolver<unknown, DoubleContext>;
    }
  }
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const implemented = field.resolve;
      const name = `${root?.name}.${field.name}`;
      const run: GraphQLFieldResolver<unknown, DoubleContext> = (parent, args, context, info) => {
        if (!implemented) throw new Error(`the Stash double does not implement ${name}`);
        return implemented(parent, args, context, info);
      };
      field.resolve =
        root === schema.getMutationType()
          ? (parent, args: Record<string, unknown>, context: DoubleContext, info) => {
              const recorded = context.recordMutation(field.name, args);
              try {
                const result = run(parent, args, context, info);
                // An async resolver (performerCreate downloading an image) fails later: record that too.
                if (result instanceof Promise) {
                  return result.catch((error: unknown) => {
                    recorded.error = error instanceof Error ? error.message : String(error);
                    throw error;
                  });
                }
                return result;
              } catch (error: unknown) {
                recorded.error = error instanceof Error ? error.message : String(error);
                throw error;
              }
            }
          : run;
    }
  }
  return schema;
}

function rejection(error: GraphQLError): Record<string, unknown> {
  return { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
