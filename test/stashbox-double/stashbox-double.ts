import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, getOperationAST, GraphQLError, isObjectType, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildStashBoxSchema } from './schema.js';

/** `up` answers; `down` answers 503; `drop` closes each connection unanswered (a network error); `refuseKey` answers 401 as stash-box does for a bad key. */
export type StashBoxDoubleMode = 'up' | 'down' | 'drop' | 'refuseKey';

export interface StashBoxBodyModification {
  location: string;
  description?: string | null;
}

/** A stash-box performer, by stash-box's own field names; what is left out is empty. */
export interface StashBoxPerformerFixture {
  id: string;
  name: string;
  disambiguation?: string | null;
  aliases?: string[];
  gender?: 'MALE' | 'FEMALE' | 'TRANSGENDER_MALE' | 'TRANSGENDER_FEMALE' | 'INTERSEX' | 'NON_BINARY' | null;
  birth_date?: string | null;
  death_date?: string | null;
  ethnicity?: string | null;
  country?: string | null;
  eye_color?: string | null;
  hair_color?: string | null;
  height?: number | null;
  cup_size?: string | null;
  band_size?: number | null;
  waist_size?: number | null;
  hip_size?: number | null;
  breast_type?: 'NATURAL' | 'FAKE' | 'NA' | null;
  career_start_year?: number | null;
  career_end_year?: number | null;
  tattoos?: StashBoxBodyModification[] | null;
  piercings?: StashBoxBodyModification[] | null;
  urls?: string[];
  /** Served at /images/<performer id>.jpg and listed as the performer's one image. */
  image?: Buffer;
  deleted?: boolean;
  merged_into_id?: string | null;
  /** stash-box's `updated` time; set to now by `updatePerformer`. */
  updated?: string;
}

export interface StashBoxRequest {
  path: string;
  operationName: string | null;
  status: number;
  /** Whether the right key came in the ApiKey header. */
  keyOk: boolean;
  variables: Record<string, unknown>;
}

export interface StashBoxDouble {
  /** The GraphQL endpoint, as Stash stores it: `http://127.0.0.1:PORT/graphql`. */
  endpoint: string;
  apiKey: string;
  requests: StashBoxRequest[];
  performers: Map<string, StashBoxPerformerFixture>;
  setMode(mode: StashBoxDoubleMode): void;
  /** Each GraphQL answer waits this long first (0: none), so a test can act while a job is mid-way. */
  setDelay(ms: number): void;
  /** Changes a performer as an edit on stash-box would, moving its `updated` time. */
  updatePerformer(id: string, change: Partial<StashBoxPerformerFixture>): void;
  close(): Promise<void>;
}

let sharedSchema: GraphQLSchema | undefined;

/** stash-box's real schema with resolvers for the fields the sidecar reads; anything else fails by name. */
export function stashBoxDoubleSchema(): GraphQLSchema {
  sharedSchema ??= attachResolvers(buildStashBoxSchema());
  return sharedSchema;
}

export async function createStashBoxDouble(options: { performers?: StashBoxPerformerFixture[]; apiKey?: string } = {}): Promise<StashBoxDouble> {
  const schema = stashBoxDoubleSchema();
  const apiKey = options.apiKey ?? randomBytes(24).toString('base64url');
  const performers = new Map((options.performers ?? []).map((p) => [p.id, { updated: '2026-01-01T00:00:00Z', ...p }]));
  const requests: StashBoxRequest[] = [];
  let mode: StashBoxDoubleMode = 'up';
  let delayMs = 0;
  let clock = Date.parse('2026-06-01T00:00:00Z');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stashbox.invalid');
    const header = req.headers.apikey;
    const record: StashBoxRequest = { path: url.pathname, operationName: null, status: 0, keyOk: (Array.isArray(header) ? header[0] : header) === apiKey, variables: {} };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    handle(req, res, url, record).catch((error: unknown) => send(res, 500, 'text/plain', error instanceof Error ? error.message : String(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, record: StashBoxRequest): Promise<void> {
    if (mode === 'drop') return void req.socket.destroy();
    if (mode === 'down') return send(res, 503, 'text/plain', 'Service Unavailable');
    // Images are public on stash-box (a CDN in practice); Stash downloads them without a key.
    const image = /^\/images\/(.+)\.jpg$/.exec(url.pathname);
    if (image && req.method === 'GET') {
      const bytes = performers.get(image[1] ?? '')?.image;
      return bytes ? send(res, 200, 'image/jpeg', bytes) : send(res, 404, 'text/plain', 'not found');
    }
    if (url.pathname !== '/graphql' || req.method !== 'POST') return send(res, 404, 'text/plain', 'not found');
    if (mode === 'refuseKey' || !record.keyOk) return send(res, 401, 'text/plain', 'Unauthorized');
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse((await readBody(req)).toString('utf8')) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'bad request body' }] });
    }
    let document: DocumentNode;
    try {
      document = parse(String(body.query ?? ''));
    } catch (error: unknown) {
      return sendJson(res, 422, { errors: [{ message: error instanceof GraphQLError ? error.message : String(error) }] });
    }
    const operationName = typeof body.operationName === 'string' && body.operationName ? body.operationName : null;
    record.operationName = getOperationAST(document, operationName)?.name?.value ?? operationName;
    record.variables = (body.variables ?? {}) as Record<string, unknown>;
    // Every operation is checked against the real schema: one stash-box would refuse fails here too.
    const errors = validate(schema, document);
    if (errors.length > 0) return sendJson(res, 422, { errors: errors.map((e) => e.toJSON()) });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const baseUrl = `http://${req.headers.host ?? '127.0.0.1'}`;
    const result = await execute({ schema, document, operationName, variableValues: (body.variables ?? {}) as Record<string, unknown>, contextValue: { performers, baseUrl } });
    sendJson(res, 200, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    requests,
    performers,
    setMode: (next) => void (mode = next),
    setDelay: (ms) => void (delayMs = ms),
    updatePerformer(id, change) {
      const performer = performers.get(id);
      if (!performer) throw new Error(`no stash-box performer ${id}`);
      clock += 60_000;
      Object.assign(performer, change, { updated: new Date(clock).toISOString() });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface DoubleContext {
  performers: Map<string, StashBoxPerformerFixture>;
  baseUrl: string;
}

const emptyModifications = (list: StashBoxBodyModification[] | null | undefined) => (list ?? []).map((m) => ({ location: m.location, description: m.description ?? null }));

const resolvers: Record<string, Record<string, (parent: never, args: never, context: DoubleContext) => unknown>> = {
  Query: {
    findPerformer: (_root: unknown, { id }: { id: string }, { performers }: DoubleContext) => performers.get(id) ?? null,
  },
  Performer: {
    aliases: (p: StashBoxPerformerFixture) => p.aliases ?? [],
    tattoos: (p: StashBoxPerformerFixture) => (p.tattoos ? emptyModifications(p.tattoos) : null),
    piercings: (p: StashBoxPerformerFixture) => (p.piercings ? emptyModifications(p.piercings) : null),
    urls: (p: StashBoxPerformerFixture) => (p.urls ?? []).map((url) => ({ url, type: 'HOME', site: { id: 'site-1', name: 'Home' } })),
    images: (p: StashBoxPerformerFixture, _args: never, { baseUrl }: DoubleContext) => (p.image ? [{ id: `image-${p.id}`, url: `${baseUrl}/images/${p.id}.jpg`, width: 600, height: 800 }] : []),
    deleted: (p: StashBoxPerformerFixture) => p.deleted ?? false,
    merged_into_id: (p: StashBoxPerformerFixture) => p.merged_into_id ?? null,
    updated: (p: StashBoxPerformerFixture) => p.updated,
    created: () => '2025-01-01T00:00:00Z',
  },
};

function attachResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`stash-box's schema has no object type ${typeName}`);
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = type.getFields()[fieldName];
      if (!field) throw new Error(`stash-box's schema has no field ${typeName}.${fieldName}`);
      field.resolve = resolve as never;
    }
  }
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (!field.resolve) {
        const name = `${root?.name}.${field.name}`;
        field.resolve = () => {
          throw new Error(`the stash-box double does not implement ${name}`);
        };
      }
    }
  }
  return schema;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
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
