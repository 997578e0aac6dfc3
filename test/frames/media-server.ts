// A loopback stand-in for Stash's media endpoints: files served with Range, guarded by the ApiKey header.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** Paths requested so far, with their query strings. */
  requests: string[];
  /** How many requests are being answered right now (an aborted ffmpeg leaves none). */
  openResponses(): number;
  close(): Promise<void>;
}

export interface MediaServerOptions {
  apiKey: string;
  /** URL path (without query) → file on disk. */
  files: Record<string, string>;
  /** URL path → status code to answer with instead (e.g. 500 for "Stash is broken"). */
  statuses?: Record<string, number>;
  /** URL paths that are accepted and then never answered (a stalled Stash). */
  hang?: string[];
}

export async function startMediaServer(options: MediaServerOptions): Promise<MediaServer> {
  const requests: string[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    open.add(response);
    response.on('close', () => open.delete(response));
    requests.push(request.url ?? '');
    answer(options, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    openResponses: () => open.size,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function answer(options: MediaServerOptions, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://local').pathname;
  if (request.headers.apikey !== options.apiKey) {
    response.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
    return;
  }
  if (options.hang?.includes(path)) return;
  const status = options.statuses?.[path];
  if (status !== undefined) {
    response.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`);
    return;
  }
  const file = options.files[path];
  if (file === undefined) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const size = statSync(file).size;
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  if (!range) {
    response.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes', 'content-type': 'video/mp4' });
    pipeFile(file, 0, size - 1, response);
    return;
  }
  const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  if (start >= size || start > end) {
    response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    return;
  }
  response.writeHead(206, {
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${size}`,
    'accept-ranges': 'bytes',
    'content-type': 'video/mp4',
  });
  pipeFile(file, start, end, response);
}

function pipeFile(file: string, start: number, end: number, response: ServerResponse): void {
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => response.destroy());
  response.on('close', () => stream.destroy());
  stream.pipe(response);
}
