import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SenseError } from '../../src/errors.js';
import { chooseImageSource, readImageSource } from '../../src/identify/index.js';

// The test server is on loopback, which only ALLOW_PRIVATE_URLS lets a URL reach (test/security/url-policy.test.ts).
const limits = { maxBytes: 1000, urlTimeoutMs: 2000, allowPrivateUrls: true };
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok') response.end(Buffer.alloc(10, 7));
    else if (request.url === '/big') response.end(Buffer.alloc(5000));
    else if (request.url === '/slow') setTimeout(() => response.end('late'), 5000);
    else {
      response.statusCode = 404;
      response.end('missing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SenseError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('chooseImageSource', () => {
  it('wants exactly one source', () => {
    expect(() => chooseImageSource({})).toThrow(/exactly one/);
    expect(() => chooseImageSource({ url: 'http://x', base64: 'AAAA' })).toThrow(/url, base64/);
    expect(chooseImageSource({ base64: 'AAAA' })).toEqual({ kind: 'base64', data: 'AAAA' });
  });
});

describe('readImageSource', () => {
  it('decodes base64, with or without a data: prefix', async () => {
    const bytes = await readImageSource({ kind: 'base64', data: 'data:image/png;base64,AQID' }, limits);
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it('refuses base64 that is not', async () => {
    expect(await codeOf(readImageSource({ kind: 'base64', data: 'this is not base64!' }, limits))).toBe('BAD_INPUT');
    expect(await codeOf(readImageSource({ kind: 'base64', data: '' }, limits))).toBe('BAD_INPUT');
  });

  it('fetches a URL, and refuses one that fails, is too big, is slow or is not http', async () => {
    expect((await readImageSource({ kind: 'url', url: `${base}/ok` }, limits)).byteLength).toBe(10);
    expect(await codeOf(readImageSource({ kind: 'url', url: `${base}/missing` }, limits))).toBe('URL_REFUSED');
    expect(await codeOf(readImageSource({ kind: 'url', url: `${base}/big` }, limits))).toBe('PAYLOAD_TOO_LARGE');
    expect(await codeOf(readImageSource({ kind: 'url', url: `${base}/slow` }, { ...limits, urlTimeoutMs: 200 }))).toBe('TIMEOUT');
    expect(await codeOf(readImageSource({ kind: 'url', url: 'file:///etc/passwd' }, limits))).toBe('BAD_INPUT');
  });

  it('refuses a loopback URL unless ALLOW_PRIVATE_URLS is set', async () => {
    expect(await codeOf(readImageSource({ kind: 'url', url: `${base}/ok` }, { ...limits, allowPrivateUrls: false }))).toBe('URL_REFUSED');
  });

  it('refuses bytes over the upload limit', async () => {
    expect(await codeOf(readImageSource({ kind: 'bytes', bytes: new Uint8Array(1001) }, limits))).toBe('PAYLOAD_TOO_LARGE');
  });
});
