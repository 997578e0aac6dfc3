// The HTTP edge as an attacker on the network, or a web page in the user's browser, meets it: no key, a wrong
// key, cross-site request shapes, a rebound host name, a huge document. Nothing they send may reach Stash.
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import type { StashDoubleOptions } from '../stash-double/index.js';

const temp = makeTempDir('security-http-');
const stash: StashDoubleOptions = { performers: [{ id: '1', name: 'Someone' }], scenes: [{ id: '7', title: 'Tag me' }] };
const applyMutation = 'mutation { applyScenePerformers(sceneId: "7", performerIds: ["1"]) { added } }';
let secured: StashSidecar;
let open: StashSidecar;

beforeAll(async () => {
  secured = await startStashSidecar(join(temp.path, 'secured'), { stash, enroll: false });
  open = await startStashSidecar(join(temp.path, 'open'), { stash, enroll: false, env: { AUTH: 'none' } });
});
afterAll(async () => {
  await secured?.close();
  await open?.close();
  temp.remove();
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** A raw HTTP request (fetch will not send a chosen Host header). */
function send(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  const target = new URL(options.path ?? '/graphql', url);
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = httpRequest(
      target,
      // A fresh connection each time, as an attacker's request would come.
      { method: options.method ?? 'POST', agent: false, headers: { ...(body && !options.headers?.['transfer-encoding'] ? { 'content-length': String(body.length) } : {}), ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: Answer['body'] = {};
          try {
            parsed = JSON.parse(text) as Answer['body'];
          } catch {
            parsed = { errors: [{ message: text }] };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = (query: string) => JSON.stringify({ query });
const stashWrites = (sidecar: StashSidecar) => sidecar.double.mutations.filter((mutation) => mutation.field === 'bulkSceneUpdate').length;

describe('authentication (on by default)', () => {
  it('refuses a mutation without a key or with a wrong one, and Stash receives nothing', async () => {
    const before = secured.double.requests.length;
    for (const headers of <Record<string, string>[]>[{}, { ApiKey: 'wrong-key-wrong-key-wrong-key' }, { Authorization: 'Bearer wrong-key-wrong-key' }, { Authorization: `Basic ${secured.server.apiKey}` }]) {
      const answer = await send(secured.server.url, { headers: { 'content-type': 'application/json', ...headers }, body: json(applyMutation) });
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(answer.body.data).toBeUndefined();
    }
    expect(secured.double.requests.length).toBe(before);
    expect(stashWrites(secured)).toBe(0);
  });

  it('accepts the key in ApiKey and as a Bearer token', async () => {
    const key = secured.server.apiKey!;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const headers of <Record<string, string>[]>[{ ApiKey: key }, { Authorization: `Bearer ${key}` }]) {
      const answer = await send(secured.server.url, { headers: { 'content-type': 'application/json', ...headers }, body: json('{ health { status } }') });
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual({ health: { status: expect.any(String) } });
    }
  });

  it('keeps GET /health open and free of the key', async () => {
    const response = await fetch(`${secured.server.url}/health`);
    const text = await response.text();
    expect(JSON.parse(text)).toHaveProperty('status');
    expect(text).not.toContain(secured.server.apiKey!);
  });

  it('serves GraphiQL’s page without the key and never puts the key in it', async () => {
    const response = await fetch(`${secured.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('ApiKey');
    expect(page).not.toContain(secured.server.apiKey!);
  });
});

describe('cross-site requests (CSRF), refused even under AUTH=none', () => {
  const form = (query: string) => {
    const boundary = 'xxBOUNDARYxx';
    return {
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query, variables: {} })}\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--${boundary}--\r\n`,
    };
  };
  const shapes: [string, { method?: string; path?: string; headers: Record<string, string>; body?: string }][] = [
    ['a multipart form post', form(applyMutation)],
    ['a urlencoded form post', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(applyMutation)}` }],
    ['a text/plain post', { headers: { 'content-type': 'text/plain' }, body: json(applyMutation) }],
    ['a GET with the mutation in the URL', { method: 'GET', path: `/graphql?query=${encodeURIComponent(applyMutation)}`, headers: {} }],
  ];

  it.each(shapes)('refuses %s and runs nothing', async (_name, shape) => {
    const answer = await send(open.server.url, { ...shape, headers: { origin: open.server.url, ...shape.headers } });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body.data ?? null).toBeNull();
    expect(stashWrites(open)).toBe(0);
  });

  it('refuses a page on another origin, even with a JSON body', async () => {
    const answer = await send(open.server.url, { headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: json(applyMutation) });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stashWrites(open)).toBe(0);
  });

  it('refuses a host name it was not configured with (DNS rebinding)', async () => {
    const port = new URL(open.server.url).port;
    const answer = await send(open.server.url, { headers: { 'content-type': 'application/json', host: `rebind.evil.example:${port}` }, body: json(applyMutation) });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stashWrites(open)).toBe(0);
  });

  it('answers localhost, IP addresses and the sidecar’s own origin', async () => {
    const port = new URL(open.server.url).port;
    for (const headers of <Record<string, string>[]>[{ host: `localhost:${port}` }, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }, { host: `[::1]:${port}` }]) {
      const answer = await send(open.server.url, { headers: { 'content-type': 'application/json', ...headers }, body: json('{ health { status } }') });
      expect(answer.body.errors).toBeUndefined();
    }
  });
});

describe('query limits', () => {
  it('refuses a document of a million aliases with a coded error, and keeps answering', async () => {
    const bomb = `{ ${Array.from({ length: 1_000_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const answer = await send(secured.server.url, { headers: { 'content-type': 'application/json', ...secured.server.authHeaders }, body: json(bomb) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(answer.body.errors?.[0]?.message).toMatch(/token limit of 4000/i);
    const after = await secured.server.graphql('{ health { status } }');
    expect(after.errors).toBeUndefined();
  });

  it('refuses 16 aliases of identifyImage before any of them runs', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `i${i}: identifyImage(base64: "AAAA") { width }`).join(' ');
    const answer = await secured.server.graphql(`mutation { ${aliases} }`);
    expect(answer.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(answer.errors?.[0]?.message).toMatch(/Aliases limit of 15/);
  });

  it('refuses a body over MAX_UPLOAD_MB, and a body without a length', async () => {
    const big = await send(secured.server.url, { headers: { 'content-type': 'application/json', ApiKey: secured.server.apiKey!, 'content-length': String(200 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    const chunked = await send(secured.server.url, {
      headers: { 'content-type': 'application/json', ApiKey: secured.server.apiKey!, 'transfer-encoding': 'chunked' },
      body: json('{ health { status } }'),
    });
    expect(chunked.status).toBe(411);
    expect(chunked.body.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
  });
});
