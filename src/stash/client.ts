import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, type DocumentNode } from 'graphql';
import { GraphQLClient, type RequestOptions } from 'graphql-request';
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { startStreamProxy, type StreamProxy } from './stream-proxy.js';
import { classifyFailure, classifyStatus, toSenseError, type FailureContext, type StashFailure } from './failures.js';
import { parseStashBase, redactUrlsInText, resolveMediaUrl } from './urls.js';

export interface StashClientOptions {
  /** Stash's address, e.g. `http://stash:9999` (a trailing `/graphql` is accepted). */
  url: string;
  /** Stash's API key; empty or null for a Stash without credentials. */
  apiKey?: string | null;
  /** Per attempt, for GraphQL requests and media alike. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts after a failure that may pass (network, 5xx, timeout). Default 2. */
  retries?: number;
  /** Wait before the first retry; it doubles for each next one. Default 500 ms. */
  retryDelayMs?: number;
}

export interface StashRequestOptions {
  signal?: AbortSignal;
}

export interface StashMediaOptions {
  signal?: AbortSignal;
  /** A larger body fails with PAYLOAD_TOO_LARGE before it is all read. */
  maxBytes?: number;
  /** Overrides the client's per-attempt timeout (a long video file, say). */
  timeoutMs?: number;
}

/**
 * How ffmpeg reads a Stash URL: `url` has no `apikey` parameter; `headers` (`ApiKey: …\r\n`, for ffmpeg's
 * `-headers`) and `inputOptions` (`['-headers', headers]`, or `[]` without a key) hold the secret and are
 * non-enumerable, so logging or serialising this object never shows them. Log `redacted`.
 */
export interface StashClient {
  /** Scheme, host and port of the configured Stash; the only way a log or an error names it. */
  readonly origin: string;
  request<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options?: StashRequestOptions,
  ): Promise<TResult>;
  /** GET a media path or URL Stash reported (screenshot, sprite, VTT, image), with the ApiKey header. */
  fetchMedia(pathOrUrl: string, options?: StashMediaOptions): Promise<Buffer>;
  /** The absolute URL for a media path, on the configured origin and without `apikey`: safe to store and return. */
  mediaUrl(pathOrUrl: string): string;
  /**
   * A loopback URL ffmpeg can read a Stash media file from (the scene stream), with Range support: the key is
   * added here, so it never reaches ffmpeg's command line. Close it when done.
   */
  openStreamProxy(pathOrUrl: string): Promise<StreamProxy>;
}

/** The one holder of the API key: every request to Stash goes through here, and nothing it emits carries the key. */
export function createStashClient(options: StashClientOptions, logger: Logger): StashClient {
  const base = parseStashBase(options.url);
  const apiKey = options.apiKey?.trim() || undefined;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = Math.max(0, options.retries ?? 2);
  const retryDelayMs = options.retryDelayMs ?? 500;
  const authHeaders: Record<string, string> = apiKey ? { ApiKey: apiKey } : {};
  const graphql = new GraphQLClient(base.graphqlUrl, { headers: authHeaders });

  const scrub = (text: string): string => {
    const withoutKey = apiKey ? text.split(apiKey).join('***') : text;
    return redactUrlsInText(withoutKey);
  };

  /** Runs one operation with a timeout per attempt and retries with exponential backoff where a retry is safe. */
  async function withRetries<T>(
    what: string,
    kind: 'read' | 'write',
    signal: AbortSignal | undefined,
    attemptTimeoutMs: number,
    attempt: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      throwIfCancelled(signal, what);
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), attemptTimeoutMs);
      const started = performance.now();
      try {
        const result = await attempt(signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal);
        logger.debug('stash call', { what, ms: Math.round(performance.now() - started), attempts: attemptNumber });
        return result;
      } catch (error: unknown) {
        throwIfCancelled(signal, what);
        if (isSenseError(error)) throw error;
        const context: FailureContext = {
          origin: base.origin,
          what,
          timedOut: timeout.signal.aborted,
          timeoutMs: attemptTimeoutMs,
          keyConfigured: apiKey !== undefined,
          scrub,
        };
        const failure = error instanceof FailureSignal ? error.failure : classifyFailure(error, context);
        const retryable = failure.retry === 'any' || (failure.retry === 'idempotent' && kind === 'read');
        if (!retryable || attemptNumber > retries) {
          logger.debug('stash call failed', { what, origin: base.origin, code: failure.code, attempts: attemptNumber, reason: failure.detail });
          throw toSenseError(failure, attemptNumber);
        }
        const delayMs = retryDelayMs * 2 ** (attemptNumber - 1);
        logger.warn('stash call failed, retrying', { what, origin: base.origin, attempt: attemptNumber, delayMs, reason: failure.detail });
        await sleep(delayMs, signal);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  function failureContext(what: string): FailureContext {
    return { origin: base.origin, what, timedOut: false, timeoutMs, keyConfigured: apiKey !== undefined, scrub };
  }

  return {
    origin: base.origin,

    request<TResult, TVariables extends object>(
      document: TypedDocumentNode<TResult, TVariables>,
      variables: TVariables,
      requestOptions: StashRequestOptions = {},
    ): Promise<TResult> {
      const { name, kind } = describeOperation(document);
      // graphql-request's conditional options type cannot see through a generic TVariables.
      const options = { document, variables, signal: undefined as AbortSignal | undefined } as unknown as RequestOptions<TVariables, TResult>;
      return withRetries(name, kind, requestOptions.signal, timeoutMs, (signal) => graphql.request<TResult, TVariables>({ ...options, signal }));
    },

    fetchMedia(pathOrUrl, mediaOptions = {}) {
      const url = resolveMediaUrl(base, pathOrUrl);
      const what = `GET ${url.pathname}`;
      return withRetries(what, 'read', mediaOptions.signal, mediaOptions.timeoutMs ?? timeoutMs, async (signal) => {
        // Redirects are not followed: Stash only redirects to its login page, and following one elsewhere would
        // carry the ApiKey header to another host.
        const response = await fetch(url, { headers: authHeaders, redirect: 'manual', signal });
        if (response.status >= 300 && response.status < 400) {
          await response.body?.cancel();
          const detail = `HTTP ${response.status} redirect`;
          if (/login/i.test(response.headers.get('location') ?? '')) throw new FailureSignal(classifyStatus(401, failureContext(what), detail));
          throw new FailureSignal({ code: 'STASH_UNAVAILABLE', message: `Stash at ${base.origin} redirected ${what} elsewhere; check STASH_URL`, detail, retry: 'no' });
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw new FailureSignal(classifyStatus(response.status, failureContext(what)));
        }
        return readBody(response, mediaOptions.maxBytes, what);
      });
    },

    mediaUrl(pathOrUrl) {
      return resolveMediaUrl(base, pathOrUrl).toString();
    },

    openStreamProxy(pathOrUrl) {
      const url = resolveMediaUrl(base, pathOrUrl);
      // Redirects are not followed, as for fetchMedia: the key must not travel to another host.
      return startStreamProxy((range, signal) => fetch(url, { headers: { ...authHeaders, ...(range ? { Range: range } : {}) }, redirect: 'manual', signal }));
    },
  };
}

/** A failure already classified inside an attempt (an HTTP status on a media fetch). */
class FailureSignal extends Error {
  constructor(readonly failure: StashFailure) {
    super(failure.detail);
  }
}

function describeOperation(document: DocumentNode): { name: string; kind: 'read' | 'write' } {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      return { name: definition.name?.value ?? 'anonymous operation', kind: definition.operation === 'query' ? 'read' : 'write' };
    }
  }
  throw new SenseError('INTERNAL', 'A Stash document has no operation');
}

async function readBody(response: Response, maxBytes: number | undefined, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (maxBytes !== undefined && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new SenseError('PAYLOAD_TOO_LARGE', `${what} is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (maxBytes !== undefined && total > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new SenseError('PAYLOAD_TOO_LARGE', `${what} is more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new SenseError('CANCELLED', `${what} was cancelled`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
