import { SenseError } from '../errors.js';
import { anyAddress, fetchPublicUrl, isPublicAddress } from '../outbound/index.js';

/** Where the bytes of one image to identify come from; exactly one per request. */
export type ImageSource =
  | { kind: 'upload'; file: UploadedFile }
  | { kind: 'url'; url: string }
  | { kind: 'base64'; data: string }
  | { kind: 'bytes'; bytes: Uint8Array; name?: string };

/** What Yoga's multipart parser hands over: a WHATWG File, possibly from a ponyfill rather than Node's own class. */
export interface UploadedFile {
  size: number;
  name?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && typeof (value as UploadedFile).arrayBuffer === 'function' && typeof (value as UploadedFile).size === 'number';
}

export interface ImageSourceLimits {
  maxBytes: number;
  urlTimeoutMs: number;
  /** ALLOW_PRIVATE_URLS: let url: reach loopback, LAN and other internal addresses. */
  allowPrivateUrls?: boolean;
}

/** Picks the one source a request named, or says why it cannot. */
export function chooseImageSource(input: { image?: unknown; url?: string | null; base64?: string | null }): ImageSource {
  const given = [input.image != null && 'image', input.url != null && 'url', input.base64 != null && 'base64'].filter(Boolean);
  if (given.length !== 1) {
    throw new SenseError('BAD_INPUT', `Give exactly one of image, url or base64 (got ${given.length === 0 ? 'none' : given.join(', ')})`);
  }
  if (input.image != null) {
    if (!isUploadedFile(input.image)) throw new SenseError('BAD_INPUT', 'image must be a file upload (multipart request)');
    return { kind: 'upload', file: input.image };
  }
  if (input.url != null) return { kind: 'url', url: input.url };
  return { kind: 'base64', data: input.base64 ?? '' };
}

export async function readImageSource(source: ImageSource, limits: ImageSourceLimits, signal?: AbortSignal): Promise<Uint8Array> {
  switch (source.kind) {
    case 'bytes':
      return checkSize(source.bytes, limits.maxBytes);
    case 'upload':
      if (source.file.size > limits.maxBytes) throw tooLarge(limits.maxBytes);
      return checkSize(new Uint8Array(await source.file.arrayBuffer()), limits.maxBytes);
    case 'base64':
      return checkSize(decodeBase64(source.data), limits.maxBytes);
    case 'url':
      return fetchImage(source.url, limits, signal);
  }
}

function decodeBase64(data: string): Uint8Array {
  const payload = data.trim().replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
  // Buffer.from ignores what it cannot decode; a strict check keeps "not base64" from reaching the decoder as garbage.
  if (payload.length === 0 || payload.length % 4 === 1 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
    throw new SenseError('BAD_INPUT', 'base64 is not valid base64 data');
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

function fetchImage(url: string, limits: ImageSourceLimits, signal?: AbortSignal): Promise<Uint8Array> {
  return fetchPublicUrl(url, {
    maxBytes: limits.maxBytes,
    timeoutMs: limits.urlTimeoutMs,
    policy: limits.allowPrivateUrls ? anyAddress : isPublicAddress,
    signal,
  });
}

function checkSize(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

function tooLarge(maxBytes: number): SenseError {
  return new SenseError('PAYLOAD_TOO_LARGE', `The image is larger than MAX_UPLOAD_MB (${(maxBytes / 1024 / 1024).toFixed(1)} MB)`);
}
