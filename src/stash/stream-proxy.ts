import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** One Stash video for ffmpeg through a loopback HTTP proxy; close it when the frames are read. */
export interface StreamProxy {
  /** What goes on ffmpeg's command line: a name that means nothing without the proxy (no key, no token). */
  url: string;
  /**
   * `http://stream:<token>@127.0.0.1:<port>`: for ffmpeg's environment (`http_proxy`), which only the sidecar's
   * own user can read, unlike the command line, which every local process can.
   */
  proxy: string;
  close(): Promise<void>;
}

/** What the proxy asks upstream: one request, with the caller's Range, authenticated by the Stash client. */
export type UpstreamFetch = (range: string | undefined, signal: AbortSignal) => Promise<Response>;

const passedHeaders = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

/** The host name ffmpeg is given; `.invalid` never resolves, so without the proxy nothing is fetched. */
export const STREAM_PROXY_URL = 'http://stash-sense-stream.invalid/stream';
const PROXY_USER = 'stream';

/**
 * Serves one upstream media file as an HTTP proxy on 127.0.0.1, forwarding Range requests. ffmpeg reads Stash's
 * stream without the API key on its command line, and the proxy answers only a client that presents this
 * stream's random token as proxy credentials, which ffmpeg takes from its environment: a local process that
 * reads ffmpeg's command line in /proc learns neither.
 */
export async function startStreamProxy(upstream: UpstreamFetch): Promise<StreamProxy> {
  const token = randomBytes(16).toString('hex');
  const expected = digest(`Basic ${Buffer.from(`${PROXY_USER}:${token}`).toString('base64')}`);
  const authorised = (request: IncomingMessage) => timingSafeEqual(digest(request.headers['proxy-authorization'] ?? ''), expected);
  const server = createServer((request, response) => {
    if (!authorised(request)) {
      // ffmpeg sends its proxy credentials once challenged.
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="stash-sense"' }).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
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
    url: STREAM_PROXY_URL,
    proxy: `http://${PROXY_USER}:${token}@127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
