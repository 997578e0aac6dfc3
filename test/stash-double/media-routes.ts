import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sceneHash, type MediaSource, type StashStore } from './fixtures.js';
import { galleryImages } from './lookups.js';

/** Stash's placeholder for a performer without an image (it serves a picture, never a 404). */
const defaultPerformerImage = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300"><rect width="200" height="300" fill="#ccc"/></svg>',
);

/**
 * Media at Stash's URL shapes. Answers and returns true when the path is one of them; a known shape without
 * media behind it is a 404, as on a Stash that has not generated sprites yet.
 */
export async function serveMedia(req: IncomingMessage, res: ServerResponse, pathname: string, store: StashStore): Promise<boolean> {
  let match: RegExpExecArray | null;
  if ((match = /^\/scene\/(\d+)\/screenshot$/.exec(pathname))) {
    return reply(req, res, store.scenes.get(match[1] ?? '')?.media.screenshot, 'image/jpeg');
  }
  if ((match = /^\/scene\/(\d+)\/stream(\.mp4)?$/.exec(pathname))) {
    return reply(req, res, store.scenes.get(match[1] ?? '')?.media.stream, 'video/mp4');
  }
  if ((match = /^\/scene\/([0-9a-f]+)_sprite\.jpg$/.exec(pathname))) {
    return reply(req, res, sceneByHash(store, match[1] ?? '')?.media.sprite, 'image/jpeg');
  }
  if ((match = /^\/scene\/([0-9a-f]+)_thumbs\.vtt$/.exec(pathname))) {
    return reply(req, res, sceneByHash(store, match[1] ?? '')?.media.vtt, 'text/vtt; charset=utf-8');
  }
  if ((match = /^\/image\/(\d+)\/(image|thumbnail|preview)$/.exec(pathname))) {
    return reply(req, res, store.images.get(match[1] ?? '')?.media);
  }
  if ((match = /^\/gallery\/(\d+)\/cover$/.exec(pathname))) {
    const gallery = store.galleries.get(match[1] ?? '');
    return reply(req, res, gallery ? galleryImages(store, gallery)[0]?.media : undefined);
  }
  if ((match = /^\/performer\/(\d+)\/image$/.exec(pathname))) {
    const performer = store.performers.get(match[1] ?? '');
    if (!performer) return reply(req, res, undefined);
    return reply(req, res, performer.image ?? defaultPerformerImage, performer.image ? undefined : 'image/svg+xml');
  }
  return false;
}

function sceneByHash(store: StashStore, hash: string) {
  return [...store.scenes.values()].find((scene) => sceneHash(scene) === hash);
}

/** Serves bytes with single-range support (what ffmpeg and browsers ask for when they seek), like Go's ServeContent. */
function reply(req: IncomingMessage, res: ServerResponse, media: MediaSource | undefined, contentType?: string): boolean {
  const body = typeof media === 'string' ? Buffer.from(media) : media;
  let size: number | undefined;
  try {
    size = body === undefined ? undefined : Buffer.isBuffer(body) ? body.length : statSync(body.file).size;
  } catch {
    size = undefined;
  }
  if (body === undefined || size === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found');
    return true;
  }
  const type = contentType ?? (Buffer.isBuffer(body) ? sniff(body) : sniffPath(body.file));
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    res.end();
    return true;
  }
  const [start, end] = range ?? [0, size - 1];
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Accept-Ranges': 'bytes',
    'Content-Length': Math.max(0, end - start + 1),
  };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return true;
  }
  if (Buffer.isBuffer(body)) {
    res.end(body.subarray(start, end + 1));
  } else {
    const stream = createReadStream(body.file, { start, end });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }
  return true;
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; several ranges at once are answered with the whole body. */
function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  let start: number;
  let end: number;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

function sniff(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF') return 'image/webp';
  if (bytes.subarray(0, 5).toString('latin1') === '<svg ') return 'image/svg+xml';
  return 'application/octet-stream';
}

function sniffPath(file: string): string {
  const extension = file.toLowerCase().split('.').pop();
  const types: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4', vtt: 'text/vtt' };
  return types[extension ?? ''] ?? 'application/octet-stream';
}
