import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** A loopback URL that reads one Stash video for ffmpeg; close it when the frames are read. */
export interface StreamProxy {
  /** `http://127.0.0.1:<port>/<token>`: no key, no Stash address. */
  url: string;
  close(): Promise<void>;
}

/** What the proxy asks upstream: one request, with the caller's Range, authenticated by the Stash client. */
export type UpstreamFetch = (range: string | undefined, signal: AbortSignal) => Promise<Response>;

const passedHeaders = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

/**
 * Serves one upstream media file on 127.0.0.1 under a random path, forwarding Range requests. ffmpeg then
 * reads Stash's stream without the API key on its command line, where any local user could read it in /proc.
 */
export async function startStreamProxy(upstream: UpstreamFetch): Promise<StreamProxy> {
  const token = randomBytes(16).toString('hex');
  const server = createServer((request, response) => {
    if (request.url !== `/${token}` || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404).end();
      return;
    }
    const aborted = new AbortController();
    response.on('close', () => aborted.abort());
    const range = typeof request.headers.range === 'string' ? request.headers.range : undefined;
    upstream(range, aborted.signal).then(
      (upstreamResponse) => {
        const headers: Record<string, string> = {};
        for (const name of passedHeaders) {
          const value = upstreamResponse.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        response.writeHead(upstreamResponse.status, headers);
        if (request.method === 'HEAD' || !upstreamResponse.body) {
          void upstreamResponse.body?.cancel();
          response.end();
          return;
        }
        Readable.fromWeb(upstreamResponse.body as import('node:stream/web').ReadableStream<Uint8Array>)
          .on('error', () => response.destroy())
          .pipe(response);
      },
      () => {
        // Connection refused or timed out upstream: ffmpeg sees a 502 and reports Stash unavailable.
        if (!response.headersSent) response.writeHead(502);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
