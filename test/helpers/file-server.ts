import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  /** The next response for this path is cut after this many body bytes. */
  cut: Map<string, number>;
  /** Replaces or adds a file while the server runs. */
  files: Record<string, Buffer>;
  close(): Promise<void>;
}

/** A release host on loopback with Range support (resumed downloads), as GitHub's release downloads behave. */
export async function startFileServer(files: Record<string, Buffer>): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  const cut = new Map<string, number>();
  const served: Record<string, Buffer> = { ...files };
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push({ path, headers: request.headers });
    const body = served[path];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const slice = body.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-length': String(slice.length),
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    const cutAfter = cut.get(path);
    cut.delete(path);
    if (cutAfter === undefined) response.end(slice);
    else response.write(slice.subarray(0, cutAfter), () => setTimeout(() => response.socket?.destroy(), 50));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cut,
    files: served,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
