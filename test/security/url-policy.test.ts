// identifyImage(url:) as a way into the user's network: every internal address form is refused before a
// connection is made, redirects are checked hop by hop, the DNS answer checked is the one connected to, and
// every refusal reads the same.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { isSenseError } from '../../src/errors.js';
import { fetchPublicUrl, isPublicAddress, type AddressPolicy } from '../../src/outbound/index.js';
import { openTestApp } from '../helpers/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const temp = makeTempDir('url-policy-');
const servers: Server[] = [];
let canaryHits = 0;
let canaryPort = 0;
let app: App;
let sidecar: TestServer;
let openApp: App;
let openSidecar: TestServer;

async function listen(handler: Parameters<typeof createServer>[1], host: string): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // Dual-stack on every local address: it would see any request that got through, however it was spelled.
  canaryPort = await listen((_request, response) => {
    canaryHits++;
    response.end('not an image');
  }, '::');
  ({ app } = await openTestApp(join(temp.path, 'data')));
  sidecar = await startTestServer(app);
  ({ app: openApp } = await openTestApp(join(temp.path, 'open'), { ALLOW_PRIVATE_URLS: 'true' }));
  openSidecar = await startTestServer(openApp);
});
afterAll(async () => {
  await sidecar?.close();
  await app?.close();
  await openSidecar?.close();
  await openApp?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  temp.remove();
});

const identify = (server: TestServer, url: string) => server.graphql('mutation ($url: String) { identifyImage(url: $url) { width } }', { url });

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
  it.each([
    '127.0.0.1', '127.9.9.9', '0.0.0.0', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1', '255.255.255.255', '198.18.0.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::1', 'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('identifyImage(url:) over HTTP', () => {
  const forms = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.1:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://127.1:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://localhost:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::]:${port}/`,
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://224.0.0.1/',
  ];

  it('refuses every internal address form with one message, and nothing is contacted', async () => {
    const messages = new Set<string>();
    for (const url of forms(canaryPort)) {
      const answer = await identify(sidecar, url);
      expect(answer.errors?.[0]?.extensions?.code, url).toBe('URL_REFUSED');
      messages.add(answer.errors![0]!.message);
    }
    expect(messages.size).toBe(1);
    expect([...messages][0]).not.toMatch(/refused|ECONN|private|loopback|\d+\.\d+/i);
    expect(canaryHits).toBe(0);
  });

  it('answers a closed port and an open one alike', async () => {
    const closed = await identify(sidecar, 'http://127.0.0.1:9/');
    const open = await identify(sidecar, `http://127.0.0.1:${canaryPort}/`);
    expect(closed.errors?.[0]).toEqual(open.errors?.[0]);
  });

  it('reaches a local address when ALLOW_PRIVATE_URLS is set', async () => {
    const answer = await identify(openSidecar, `http://127.0.0.1:${canaryPort}/`);
    // It fetched the canary's text and refused it as an image.
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
    expect(canaryHits).toBe(1);
    canaryHits = 0;
  });
});

describe('fetchPublicUrl', () => {
  // On this machine everything is loopback, so "public" is played by 127.0.0.1 and "internal" by 127.0.0.2.
  const policy: AddressPolicy = (address) => address === '127.0.0.1';
  const options = { maxBytes: 1024, timeoutMs: 5000, policy };
  let publicPort = 0;
  let internalHits = 0;
  let internalPort = 0;

  beforeAll(async () => {
    internalPort = await listen((_request, response) => {
      internalHits++;
      response.end('secret');
    }, '127.0.0.2');
    publicPort = await listen((request, response) => {
      const to = new URL(request.url ?? '/', 'http://x').searchParams.get('to');
      if (to) {
        response.writeHead(302, { location: to });
        response.end();
      } else if (request.url === '/slow') {
        response.writeHead(200);
        response.write('a');
      } else response.end('image bytes');
    }, '127.0.0.1');
  });

  const code = async (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (isSenseError(error) ? error.code : String(error)));

  it('follows a redirect between allowed addresses', async () => {
    const bytes = await fetchPublicUrl(`http://127.0.0.1:${publicPort}/?to=${encodeURIComponent(`http://127.0.0.1:${publicPort}/`)}`, options);
    expect(Buffer.from(bytes).toString()).toBe('image bytes');
  });

  it('refuses a redirect to an internal address, by literal or by name, without contacting it', async () => {
    const resolve = async (name: string) => (name === 'internal.test' ? ['127.0.0.2'] : []);
    for (const target of [`http://127.0.0.2:${internalPort}/`, `http://internal.test:${internalPort}/`]) {
      expect(await code(fetchPublicUrl(`http://127.0.0.1:${publicPort}/?to=${encodeURIComponent(target)}`, { ...options, resolve }))).toBe('URL_REFUSED');
    }
    expect(internalHits).toBe(0);
  });

  it('connects to the address it checked, and checks again on every connection (DNS rebinding)', async () => {
    // A name that answers "public" once, then "internal": the second connection (the redirect) is refused.
    let calls = 0;
    const rebinding = async () => (calls++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']);
    expect(Buffer.from(await fetchPublicUrl(`http://rebind.test:${publicPort}/`, { ...options, resolve: rebinding })).toString()).toBe('image bytes');
    const target = `http://rebind.test:${internalPort}/`;
    expect(await code(fetchPublicUrl(`http://rebind.test:${publicPort}/?to=${encodeURIComponent(target)}`, { ...options, resolve: rebinding }))).toBe('URL_REFUSED');
    expect(internalHits).toBe(0);
  });

  it('refuses a name with any internal address among its answers', async () => {
    const mixed = async () => ['127.0.0.1', '127.0.0.2'];
    expect(await code(fetchPublicUrl(`http://mixed.test:${publicPort}/`, { ...options, resolve: mixed }))).toBe('URL_REFUSED');
  });

  it('ends a slow answer with TIMEOUT', async () => {
    expect(await code(fetchPublicUrl(`http://127.0.0.1:${publicPort}/slow`, { ...options, timeoutMs: 300 }))).toBe('TIMEOUT');
  });

  it('stops after too many redirects', async () => {
    let url = `http://127.0.0.1:${publicPort}/`;
    for (let i = 0; i < 7; i++) url = `http://127.0.0.1:${publicPort}/?to=${encodeURIComponent(url)}`;
    expect(await code(fetchPublicUrl(url, options))).toBe('URL_REFUSED');
  });
});
