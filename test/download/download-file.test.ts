import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile } from '../../src/download/index.js';
import { isSenseError } from '../../src/errors.js';

const body = randomBytes(3 * 1024 * 1024 + 17);
const sha = createHash('sha256').update(body).digest('hex');

interface FileServer {
  url: string;
  requests: IncomingHttpHeaders[];
  /** The next request is cut (socket destroyed) after this many body bytes. */
  cutNextAfter: number | undefined;
  /** The next request sends this many body bytes, then nothing more until the client gives up. */
  stallNextAfter: number | undefined;
  ignoreRange: boolean;
  close(): Promise<void>;
}

/** Serves `body` at /files/face.voy with Range support, like a release CDN. */
async function startFileServer(): Promise<FileServer> {
  const state: Omit<FileServer, 'close' | 'url'> = { requests: [], cutNextAfter: undefined, stallNextAfter: undefined, ignoreRange: false };
  const server: Server = createServer((request, response) => {
    state.requests.push(request.headers);
    if (!request.url?.startsWith('/files/face.voy')) {
      response.writeHead(404).end();
      return;
    }
    const range = state.ignoreRange ? null : /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= body.length) {
      response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const slice = body.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-length': String(slice.length),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    const cut = state.cutNextAfter;
    state.cutNextAfter = undefined;
    const stall = state.stallNextAfter;
    state.stallNextAfter = undefined;
    if (stall !== undefined) {
      response.write(slice.subarray(0, stall));
      return;
    }
    if (cut === undefined) {
      response.end(slice);
      return;
    }
    response.write(slice.subarray(0, cut), () => setTimeout(() => response.socket?.destroy(), 50));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fileServer = Object.assign(state, {
    url: `http://127.0.0.1:${port}/files/face.voy?token=s3cret-signature`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return fileServer;
}

let dir: string;
let server: FileServer;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'download-'));
  server = await startFileServer();
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('downloadFile', () => {
  it('installs a file whose sha256 matches, reporting progress', async () => {
    const dest = join(dir, 'face.voy');
    const progress: number[] = [];
    const result = await downloadFile({ url: server.url, dest, sha256: `sha256:${sha}`, size: body.length, onProgress: (p) => progress.push(p.receivedBytes) });
    expect(result).toEqual({ path: dest, bytes: body.length, resumedFromBytes: 0, alreadyPresent: false });
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(await readdir(dir)).toEqual(['face.voy']);
    expect(progress.at(-1)).toBe(body.length);

    const again = await downloadFile({ url: server.url, dest, sha256: sha });
    expect(again.alreadyPresent).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a wrong sha256, naming the file and both hashes, and leaves nothing behind', async () => {
    const wrong = 'ab'.repeat(32);
    const error = await downloadFile({ url: server.url, dest: join(dir, 'face.voy'), sha256: wrong }).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('BAD_INPUT');
    const message = (error as Error).message;
    expect(message).toContain('face.voy');
    expect(message).toContain(sha);
    expect(message).toContain(wrong);
    expect(message).not.toContain('s3cret');
    expect(await readdir(dir)).toEqual([]);
  });

  it('resumes a transfer cut mid-way from the partial file with a Range request', async () => {
    const dest = join(dir, 'face.voy');
    server.cutNextAfter = 1024 * 1024;
    const first = await downloadFile({ url: server.url, dest, sha256: sha }).catch((caught: unknown) => caught);
    expect(isSenseError(first)).toBe(true);
    expect((first as Error).message).toMatch(/face\.voy.*127\.0\.0\.1.*run it again to resume/);
    expect((first as Error).message).not.toContain('s3cret');
    const kept = (await readFile(`${dest}.partial`)).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1024 * 1024);

    const second = await downloadFile({ url: server.url, dest, sha256: sha, size: body.length });
    expect(server.requests[1]?.range).toBe(`bytes=${kept}-`);
    expect(second).toMatchObject({ bytes: body.length, resumedFromBytes: kept, alreadyPresent: false });
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(await readdir(dir)).toEqual(['face.voy']);
  });

  it('stops when cancelled, keeping what arrived for the next call', async () => {
    const dest = join(dir, 'face.voy');
    server.stallNextAfter = 256 * 1024;
    const controller = new AbortController();
    const error = await downloadFile({
      url: server.url,
      dest,
      sha256: sha,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((caught: unknown) => caught);
    expect(isSenseError(error) && error.code).toBe('CANCELLED');
    const kept = (await readFile(`${dest}.partial`)).length;
    expect(kept).toBeGreaterThan(0);
    const result = await downloadFile({ url: server.url, dest, sha256: sha });
    expect(result.resumedFromBytes).toBe(kept);
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('starts over when the server ignores the Range header', async () => {
    const dest = join(dir, 'face.voy');
    await writeFile(`${dest}.partial`, Buffer.from('garbage that is not the start of the file'));
    server.ignoreRange = true;
    const result = await downloadFile({ url: server.url, dest, sha256: sha });
    expect(server.requests[0]?.range).toBeDefined();
    expect(result.resumedFromBytes).toBe(0);
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('installs a complete partial file when the server has nothing past it (HTTP 416)', async () => {
    const dest = join(dir, 'face.voy');
    await writeFile(`${dest}.partial`, body);
    const result = await downloadFile({ url: server.url, dest, sha256: sha });
    expect(result).toMatchObject({ bytes: body.length, resumedFromBytes: body.length });
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('refuses a size the server does not offer, and a missing file, before keeping any byte', async () => {
    const dest = join(dir, 'face.voy');
    await expect(downloadFile({ url: server.url, dest, sha256: sha, size: 10 })).rejects.toThrow(/offers \d+ bytes, expected 10/);
    const missing = await downloadFile({ url: server.url.replace('face.voy', 'nope.voy'), dest, sha256: sha }).catch((caught: unknown) => caught);
    expect(isSenseError(missing) && missing.code).toBe('NOT_FOUND');
    expect(await readdir(dir)).toEqual([]);
  });
});
