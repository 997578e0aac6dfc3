// corsOptions as Yoga's `cors` option, on a real Yoga server: only Stash's origin (STASH_URL) and CORS_ORIGINS
// get CORS headers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../../src/config.js';
import { allowedOrigins, corsOptions } from '../../src/plugin/index.js';

const servers: Server[] = [];

async function yogaWith(env: Env): Promise<string> {
  const config = loadConfig(env);
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
    cors: corsOptions(config),
    logging: false,
  });
  const server = createServer(yoga);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

const query = (url: string, origin: string) =>
  fetch(url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ok }' }) });

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('CORS for the Stash page', () => {
  const env = { STASH_URL: 'http://stash:9999/', CORS_ORIGINS: 'https://stash.example.com/, http://192.168.1.10:9999' };

  it('allows STASH_URL’s origin and each CORS_ORIGINS entry, normalised', () => {
    expect(allowedOrigins(loadConfig(env))).toEqual(['http://stash:9999', 'https://stash.example.com', 'http://192.168.1.10:9999']);
  });

  it('answers an allowed origin with its own name, and any other origin with no CORS headers', async () => {
    const url = await yogaWith(env);
    for (const origin of ['http://stash:9999', 'https://stash.example.com', 'http://192.168.1.10:9999']) {
      const allowed = await query(url, origin);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
      expect(await allowed.json()).toEqual({ data: { ok: true } });
    }
    const other = await query(url, 'http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the browser’s preflight for a JSON POST from Stash', async () => {
    const url = await yogaWith(env);
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://stash.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://stash.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('allows no origin at all when neither STASH_URL nor CORS_ORIGINS is set (not Yoga’s allow-all default)', async () => {
    const url = await yogaWith({});
    const response = await query(url, 'http://anything.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
