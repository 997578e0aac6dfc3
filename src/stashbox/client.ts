import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print } from 'graphql';
import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';

/** One stash-box as Stash's configuration lists it, without its key: safe to log and return. */
export interface StashBoxEndpoint {
  /** The GraphQL URL, as Stash stores it in performers' stash_ids (`https://stashdb.org/graphql`). */
  endpoint: string;
  name: string;
  /** The limit set in Stash for this stash-box; the client never goes above it. */
  maxRequestsPerMinute: number;
}

export interface StashBoxClientOptions {
  /** Per stash-box; the lower of this and the endpoint's own limit applies. */
  requestsPerMinute: number;
  timeoutMs: number;
  /** Further attempts after a network error (nothing else is retried). */
  retries: number;
  retryDelayMs?: number;
}

export interface StashBoxRequestOptions {
  signal?: AbortSignal;
}

/** A client for one stash-box: the only holder of its key, which no error, log line or answer carries. */
export interface StashBoxClient {
  readonly endpoint: string;
  readonly name: string;
  request<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options?: StashBoxRequestOptions,
  ): Promise<TResult>;
}

/** Waits for this stash-box's next free slot, as the shared per-endpoint limiter decides. */
export type RateGate = <T>(run: () => Promise<T>) => Promise<T>;

export function createStashBoxClient(
  box: StashBoxEndpoint & { apiKey: string },
  gate: RateGate,
  options: StashBoxClientOptions,
  logger: Logger,
): StashBoxClient {
  const { endpoint, name } = box;
  const apiKey = box.apiKey.trim();
  const label = `stash-box ${name} (${safeEndpoint(endpoint)})`;
  const scrub = (text: string) => (apiKey ? text.split(apiKey).join('***') : text);
  const retryDelayMs = options.retryDelayMs ?? 500;

  async function attempt(body: string, what: string, signal: AbortSignal | undefined): Promise<unknown> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(apiKey ? { ApiKey: apiKey } : {}) },
        body,
        // A redirect would carry the key to another host.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error: unknown) {
      if (signal?.aborted) throw new SenseError('CANCELLED', `${what} on ${label} was cancelled`);
      if (timeout.aborted) throw new SenseError('STASHBOX_UNAVAILABLE', `${label} did not answer ${what} within ${options.timeoutMs} ms`);
      throw new NetworkFailure(scrub(describe(error)));
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new SenseError(
        'STASHBOX_AUTH',
        apiKey ? `${label} refused the API key Stash has for it (HTTP ${response.status}); check it in Stash's Metadata Providers settings` : `${label} needs an API key (HTTP ${response.status}); add it in Stash's Metadata Providers settings`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SenseError('STASHBOX_UNAVAILABLE', `${label} failed ${what} (HTTP ${response.status})`);
    }
    let result: { data?: unknown; errors?: { message?: string }[] };
    try {
      result = (await response.json()) as typeof result;
    } catch {
      throw new SenseError('STASHBOX_UNAVAILABLE', `${label} did not answer ${what} like a stash-box GraphQL API does; check the endpoint in Stash`);
    }
    if (result.errors?.length) {
      const message = scrub(result.errors.map((e) => e.message ?? 'unknown error').join('; ')).slice(0, 300);
      if (/unauthori[sz]ed|not authori[sz]ed|forbidden/i.test(message)) throw new SenseError('STASHBOX_AUTH', `${label} refused ${what}: ${message}`);
      throw new SenseError('STASHBOX_UNAVAILABLE', `${label} answered ${what} with an error: ${message}`);
    }
    return result.data;
  }

  return {
    endpoint,
    name,
    async request(document, variables, requestOptions = {}) {
      const what = getOperationAST(document)?.name?.value ?? 'a request';
      const body = JSON.stringify({ query: print(document), variables, operationName: what });
      for (let attemptNumber = 1; ; attemptNumber += 1) {
        const started = performance.now();
        try {
          const data = await gate(() => attempt(body, what, requestOptions.signal));
          logger.debug('stash-box call', { endpoint: safeEndpoint(endpoint), what, ms: Math.round(performance.now() - started), attempts: attemptNumber });
          return data as never;
        } catch (error: unknown) {
          if (isSenseError(error)) throw error;
          if (!(error instanceof NetworkFailure)) throw error;
          if (attemptNumber > options.retries) {
            throw new SenseError('STASHBOX_UNAVAILABLE', `${label} is not reachable (${error.message})`, { cause: new Error(`${error.message} (after ${attemptNumber} attempts)`) });
          }
          const delayMs = retryDelayMs * 2 ** (attemptNumber - 1);
          logger.warn('stash-box call failed, retrying', { endpoint: safeEndpoint(endpoint), what, attempt: attemptNumber, delayMs, reason: error.message });
          await sleep(delayMs, requestOptions.signal);
          if (requestOptions.signal?.aborted) throw new SenseError('CANCELLED', `${what} on ${label} was cancelled`);
        }
      }
    },
  };
}

/** The endpoint without any query string or credentials in it, for messages and logs. */
export function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(an invalid stash-box URL)';
  }
}

/** A request that never got an HTTP answer: the only failure worth another attempt. */
class NetworkFailure extends Error {}

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ').replace(/\?[^\s]*/g, '').slice(0, 300);
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
