// Fetching a URL a user gave us (identifyImage(url:)) without letting them reach inside the network. The DNS
// answer is checked and then used for the connection itself (the lookup hook), so a name cannot resolve to a
// public address for the check and a private one for the connect. Redirects are followed by hand, each hop
// checked the same way. Every failure reads the same, so the errors cannot map what listens where.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { SenseError, isSenseError } from '../errors.js';
import type { AddressPolicy } from './address-policy.js';

export interface PublicFetchOptions {
  maxBytes: number;
  /** For the whole fetch, redirects and body included. */
  timeoutMs: number;
  policy: AddressPolicy;
  signal?: AbortSignal;
  maxRedirects?: number;
  /** DNS resolution; tests pass their own. */
  resolve?: (hostname: string) => Promise<string[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;

/** Thrown for every refusal and failure alike (refused address, DNS, connection, HTTP status, redirects). */
export function urlRefused(): SenseError {
  return new SenseError('URL_REFUSED', 'The URL could not be fetched: it must be a public http(s) address that answers with the image');
}

export async function fetchPublicUrl(rawUrl: string, options: PublicFetchOptions): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SenseError('BAD_INPUT', 'url is not a valid URL');
  }
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  try {
    for (let hop = 0; ; hop++) {
      const response = await get(url, options, signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode ?? 0) && location) {
        response.resume();
        if (hop >= maxRedirects) throw urlRefused();
        url = new URL(location, url);
        continue;
      }
      if ((response.statusCode ?? 0) < 200 || (response.statusCode ?? 0) >= 300) {
        response.resume();
        throw urlRefused();
      }
      return await readCapped(response, options.maxBytes, signal);
    }
  } catch (error: unknown) {
    if (deadline.aborted) throw new SenseError('TIMEOUT', `The URL did not deliver the image within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new SenseError('CANCELLED', 'The request was cancelled');
    if (isSenseError(error)) throw error;
    throw urlRefused();
  }
}

function get(url: URL, options: PublicFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new SenseError('BAD_INPUT', 'url must be http or https'));
  if (url.username || url.password) return Promise.reject(new SenseError('BAD_INPUT', 'url must not carry a user name or password'));
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  // Node connects to an IP literal without calling lookup, so literals are judged here.
  if (isIP(hostname) && !options.policy(hostname)) return Promise.reject(urlRefused());
  const resolve = options.resolve ?? resolveAll;
  const lookup: LookupFunction = (name, lookupOptions, callback) => {
    resolve(name).then(
      (addresses) => {
        // One internal answer refuses the name: the client would otherwise pick among them.
        const usable = addresses.length > 0 && addresses.every((address) => options.policy(address));
        if (!usable) return callback(urlRefused(), '', 4);
        const chosen = addresses[0]!;
        const family = isIP(chosen);
        if (lookupOptions.all) return callback(null, [{ address: chosen, family }] as unknown as string, family);
        callback(null, chosen, family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const request = send(url, { method: 'GET', lookup, signal, headers: { accept: 'image/*', 'user-agent': 'stash-sense' } }, resolvePromise);
    request.on('error', reject);
    request.end();
  });
}

function resolveAll(hostname: string): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => (error ? reject(error) : resolvePromise(addresses.map((entry) => entry.address))));
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    response.destroy();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response) {
    signal.throwIfAborted();
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      response.destroy();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number): SenseError {
  return new SenseError('PAYLOAD_TOO_LARGE', `The image is larger than MAX_UPLOAD_MB (${(maxBytes / 1024 / 1024).toFixed(1)} MB)`);
}
