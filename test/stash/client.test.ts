import { request as httpRequest } from 'node:http';
import { inspect } from 'node:util';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSenseError, type SenseError } from '../../src/errors.js';
import { createRecordingLogger, formatLogLine } from '../../src/logger.js';
import { AddScenePerformersDocument, createStashClient, FindSceneDocument, getScene, type StashClientOptions } from '../../src/stash/index.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';

const apiKey = 'sk-test-0123456789abcdef-SECRET';

let double: StashDouble;
let logger: ReturnType<typeof createRecordingLogger>;

beforeEach(async () => {
  double = await createStashDouble({
    apiKey,
    performers: [{ id: '1', name: 'Ada' }],
    scenes: [{ id: '1', title: 'Beach', files: [{ duration: 10, width: 1280, height: 720 }], media: { screenshot: Buffer.from('jpeg bytes') } }, { id: '2', title: 'Streamed', files: [{ duration: 1, width: 16, height: 16 }], media: { stream: Buffer.from('0123456789abcdefghij') } }],
  });
  logger = createRecordingLogger();
});

afterEach(async () => {
  await double.close();
});

function client(options: Partial<StashClientOptions> = {}) {
  return createStashClient({ url: double.url, apiKey, timeoutMs: 2_000, retries: 2, retryDelayMs: 5, ...options }, logger);
}

async function failure(promise: Promise<unknown>): Promise<SenseError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (isSenseError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const graphqlCalls = () => double.requests.filter((r) => r.kind === 'graphql').length;

describe('Stash client', () => {
  it('sends typed documents with the ApiKey header and returns the data', async () => {
    const { findScene } = await client().request(FindSceneDocument, { id: '1' });
    expect(findScene?.title).toBe('Beach');
    expect(double.requests.at(-1)).toMatchObject({ path: '/graphql', operationName: 'FindScene', status: 200, keyVia: 'header' });
  });

  it('accepts the GraphQL endpoint itself as the Stash URL', async () => {
    const { findScene } = await client({ url: `${double.url}/graphql` }).request(FindSceneDocument, { id: '1' });
    expect(findScene?.id).toBe('1');
  });

  it('reports a wrong key as STASH_AUTH without retrying', async () => {
    const error = await failure(client({ apiKey: 'wrong-key' }).request(FindSceneDocument, { id: '1' }));
    expect(error.code).toBe('STASH_AUTH');
    expect(error.message).toContain(double.url);
    expect(error.message).toContain('STASH_API_KEY');
    expect(graphqlCalls()).toBe(1);
  });

  it('reports a missing key to a Stash that needs one as STASH_AUTH', async () => {
    const error = await failure(client({ apiKey: null }).request(FindSceneDocument, { id: '1' }));
    expect(error.code).toBe('STASH_AUTH');
    expect(error.message).toMatch(/requires an API key/);
  });

  it('retries a Stash answering 503 with backoff, then reports STASH_UNAVAILABLE', async () => {
    double.setMode('down');
    const error = await failure(client({ retries: 2 }).request(FindSceneDocument, { id: '1' }));
    expect(error.code).toBe('STASH_UNAVAILABLE');
    expect(graphqlCalls()).toBe(3);
    const retries = logger.lines.filter((l) => l.message === 'stash call failed, retrying');
    expect(retries.map((l) => l.fields.delayMs)).toEqual([5, 10]);
  });

  it('succeeds when Stash comes back before the retries run out', async () => {
    double.setMode('down');
    const stash = client({ retries: 3, retryDelayMs: 100 });
    const pending = stash.request(FindSceneDocument, { id: '1' });
    setTimeout(() => double.setMode('up'), 150);
    const { findScene } = await pending;
    expect(findScene?.id).toBe('1');
    expect(graphqlCalls()).toBeGreaterThan(1);
  });

  it('gives up on a slow Stash after the timeout, retrying reads only', async () => {
    double.setMode('slow', { delayMs: 5_000 });
    const stash = client({ timeoutMs: 150, retries: 1 });
    const read = await failure(stash.request(FindSceneDocument, { id: '1' }));
    expect(read.code).toBe('STASH_UNAVAILABLE');
    expect(read.message).toMatch(/within 150 ms/);
    expect(graphqlCalls()).toBe(2);

    // Stash may still apply a timed-out mutation, so it is not sent twice.
    const write = await failure(stash.request(AddScenePerformersDocument, { ids: ['1'], performerIds: ['1'], tagIds: [] }));
    expect(write.code).toBe('STASH_UNAVAILABLE');
    expect(graphqlCalls()).toBe(3);
  });

  it('retries a mutation that Stash answered 503, which it cannot have applied', async () => {
    double.setMode('down');
    const error = await failure(client({ retries: 1 }).request(AddScenePerformersDocument, { ids: ['1'], performerIds: ['1'], tagIds: [] }));
    expect(error.code).toBe('STASH_UNAVAILABLE');
    expect(graphqlCalls()).toBe(2);
  });

  it('reports a dropped connection as STASH_UNAVAILABLE', async () => {
    double.setMode('drop');
    const error = await failure(client({ retries: 0 }).request(FindSceneDocument, { id: '1' }));
    expect(error.code).toBe('STASH_UNAVAILABLE');
    expect(error.message).toMatch(/not reachable/);
  });

  it('reports a Stash that is not listening as STASH_UNAVAILABLE', async () => {
    const url = double.url;
    await double.close();
    const error = await failure(client({ url, retries: 1 }).request(FindSceneDocument, { id: '1' }));
    expect(error.code).toBe('STASH_UNAVAILABLE');
    expect(error.message).toContain('ECONNREFUSED');
    double = await createStashDouble();
  });

  it('does not retry an operation Stash rejects as invalid (HTTP 422)', async () => {
    const invalid = parse('query Invalid { findScene(id: 1) { count } }') as TypedDocumentNode<unknown, Record<string, never>>;
    const error = await failure(client().request(invalid, {}));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/HTTP 422.*Cannot query field "count"/);
    expect(graphqlCalls()).toBe(1);
  });

  it('does not retry a GraphQL error Stash returns with HTTP 200', async () => {
    const error = await failure(client().request(FindSceneDocument, { id: 'not-a-number' }));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('strconv.Atoi');
    expect(graphqlCalls()).toBe(1);
  });

  it('stops when the caller cancels', async () => {
    double.setMode('slow', { delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(client().request(FindSceneDocument, { id: '1' }, { signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
    expect(graphqlCalls()).toBe(1);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => client({ url: 'ftp://stash:21' })).toThrow(/http/);
  });
});

describe('Stash client media', () => {
  it('fetches media with the ApiKey header, never the query parameter', async () => {
    const bytes = await client().fetchMedia('/scene/1/screenshot');
    expect(bytes.toString()).toBe('jpeg bytes');
    expect(double.requests.at(-1)).toMatchObject({ path: '/scene/1/screenshot', status: 200, keyVia: 'header' });
  });

  it('drops the apikey Stash puts in stream URLs and keeps the key to the configured origin', async () => {
    const stash = client();
    const reported = `http://stash.example:9999/scene/1/screenshot?t=1&apikey=${apiKey}`;
    expect(stash.mediaUrl(reported)).toBe(`${double.url}/scene/1/screenshot?t=1`);
    await stash.fetchMedia(reported);
    expect(double.requests.at(-1)).toMatchObject({ path: '/scene/1/screenshot', keyVia: 'header' });
  });

  it('reports missing media as NOT_FOUND', async () => {
    const error = await failure(client().fetchMedia('/scene/1/stream'));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('refuses a body larger than maxBytes', async () => {
    const error = await failure(client().fetchMedia('/scene/1/screenshot', { maxBytes: 4 }));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('treats Stash redirecting to its login page as STASH_AUTH', async () => {
    const error = await failure(client({ apiKey: null }).fetchMedia('/scene/1/stream'));
    expect(error.code).toBe('STASH_AUTH');
  });

  it('hands ffmpeg a URL with no key or token, served only to the proxy credentials it gets in its environment', async () => {
    const proxy = await client().openStreamProxy(`${double.url}/scene/2/stream?apikey=${apiKey}`);
    try {
      expect(proxy.url).toBe('http://stash-sense-stream.invalid/stream');
      const { origin, username, password } = new URL(proxy.proxy);
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(password).toMatch(/^[0-9a-f]{32}$/);
      expect(`${proxy.url} ${proxy.proxy}`).not.toContain(apiKey);
      const before = double.requests.length;
      const credentials = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      const part = await proxied(origin, proxy.url, { range: 'bytes=0-9', 'proxy-authorization': credentials });
      expect(part.status).toBe(206);
      expect(part.body.byteLength).toBe(10);
      const seen = double.requests.slice(before);
      expect(seen.map((request) => [request.path, request.keyVia])).toEqual([['/scene/2/stream', 'header']]);
      // Another local process knows the port (and could guess the URL), but not the token.
      for (const headers of <Record<string, string>[]>[{}, { 'proxy-authorization': `Basic ${Buffer.from(`${username}:wrong`).toString('base64')}` }]) {
        expect((await proxied(origin, proxy.url, headers)).status).toBe(407);
        expect((await proxied(origin, '/', headers)).status).toBe(407);
      }
      expect(double.requests.length).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  });
});

/** A request through an HTTP proxy: absolute URL, sent to the proxy's address. */
function proxied(proxyOrigin: string, url: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  const { hostname, port } = new URL(proxyOrigin);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path: url, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('Stash client secrecy', () => {
  it('never shows the key in an error, its causes or a log line', async () => {
    const stash = client({ timeoutMs: 150, retries: 1 });
    const errors: SenseError[] = [];
    // A GraphQL error that echoes a variable holding the key.
    errors.push(await failure(getScene(stash, apiKey)));
    double.setMode('down');
    errors.push(await failure(stash.request(FindSceneDocument, { id: '1' })));
    errors.push(await failure(stash.fetchMedia(`${double.url}/scene/1/stream?apikey=${apiKey}`)));
    double.setMode('drop');
    errors.push(await failure(stash.request(FindSceneDocument, { id: '1' })));
    double.setMode('slow', { delayMs: 5_000 });
    errors.push(await failure(stash.fetchMedia(`/scene/1/stream?apikey=${apiKey}`)));
    double.setMode('refuseKey');
    errors.push(await failure(stash.request(FindSceneDocument, { id: '1' })));
    double.setMode('up');
    errors.push(await failure(stash.fetchMedia(`/scene/99/stream?apikey=${apiKey}`)));

    expect(errors.map((e) => e.code)).toEqual(['BAD_INPUT', 'STASH_UNAVAILABLE', 'STASH_UNAVAILABLE', 'STASH_UNAVAILABLE', 'STASH_UNAVAILABLE', 'STASH_AUTH', 'NOT_FOUND']);
    for (const error of errors) {
      expect(causeChain(error)).not.toContain(apiKey);
      expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
      expect(JSON.stringify(error)).not.toContain(apiKey);
    }
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) {
      expect(formatLogLine(line)).not.toContain(apiKey);
      expect(inspect(line.fields, { depth: 10 })).not.toContain(apiKey);
    }
  });
});

function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current !== undefined && current !== null; ) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`, current.stack ?? '');
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}
