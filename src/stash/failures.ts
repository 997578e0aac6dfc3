import { ClientError } from 'graphql-request';
import { SenseError, type ErrorCode } from '../errors.js';
import { redactUrlsInText } from './urls.js';

/**
 * What went wrong talking to Stash, decided from the raw error before anything is thrown. `retry` says when
 * another attempt is safe: `any` when the request never reached Stash (refused connection, 502/503/504), so even
 * a mutation can be resent; `idempotent` when Stash may have acted on it (timeout, reset, 500), so only reads
 * are resent; `no` when resending cannot help.
 */
export interface StashFailure {
  code: ErrorCode;
  /** Safe to show a user: names the Stash origin, never a key or a query string. */
  message: string;
  /** Technical reason, scrubbed; becomes the error's `cause` and the log's `reason`. */
  detail: string;
  retry: 'any' | 'idempotent' | 'no';
}

export interface FailureContext {
  origin: string;
  /** `FindScene`, or `GET /scene/12/screenshot` for media. */
  what: string;
  timedOut: boolean;
  timeoutMs: number;
  keyConfigured: boolean;
  /** Removes the API key (and URL query strings) from any text that came from outside. */
  scrub: (text: string) => string;
}

/** Connection errors that prove the request never reached Stash. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyFailure(error: unknown, context: FailureContext): StashFailure {
  const { origin, what } = context;
  if (context.timedOut) {
    return {
      code: 'STASH_UNAVAILABLE',
      message: `Stash at ${origin} did not answer ${what} within ${context.timeoutMs} ms`,
      detail: `timeout after ${context.timeoutMs} ms`,
      retry: 'idempotent',
    };
  }
  if (error instanceof ClientError) {
    const status = error.response.status;
    const firstError = error.response.errors?.[0]?.message;
    const detail = context.scrub(firstError ? `HTTP ${status}: ${firstError}` : `HTTP ${status}`);
    if (status >= 200 && status < 300) {
      return {
        code: 'BAD_INPUT',
        message: `Stash at ${origin} rejected ${what}: ${context.scrub(firstError ?? 'unknown error')}`,
        detail,
        retry: 'no',
      };
    }
    return classifyStatus(status, context, detail);
  }
  const network = networkErrorCode(error);
  if (network) {
    return {
      code: 'STASH_UNAVAILABLE',
      message: `Stash at ${origin} is not reachable (${network})`,
      detail: context.scrub(describe(error)),
      retry: notSentCodes.has(network) ? 'any' : 'idempotent',
    };
  }
  // graphql-request's words for a 2xx body that is not a GraphQL result (an HTML page, a proxy's answer).
  if (error instanceof SyntaxError || (error instanceof Error && /invalid execution result|json/i.test(error.message))) {
    return {
      code: 'STASH_UNAVAILABLE',
      message: `${origin} did not answer ${what} like Stash's GraphQL API does; check STASH_URL`,
      detail: 'the response is not a GraphQL result',
      retry: 'no',
    };
  }
  return {
    code: 'STASH_UNAVAILABLE',
    message: `Talking to Stash at ${origin} failed during ${what}`,
    detail: context.scrub(describe(error)),
    retry: 'no',
  };
}

/** An HTTP status that is not a success, for GraphQL requests and media alike. */
export function classifyStatus(status: number, context: FailureContext, detail = `HTTP ${status}`): StashFailure {
  const { origin, what } = context;
  if (status === 401 || status === 403) {
    return {
      code: 'STASH_AUTH',
      message: context.keyConfigured
        ? `Stash at ${origin} refused the API key (HTTP ${status}); check STASH_API_KEY`
        : `Stash at ${origin} requires an API key (HTTP ${status}); set STASH_API_KEY`,
      detail,
      retry: 'no',
    };
  }
  if (status >= 500) {
    return {
      code: 'STASH_UNAVAILABLE',
      message: `Stash at ${origin} failed ${what} (HTTP ${status})`,
      detail,
      retry: status === 502 || status === 503 || status === 504 ? 'any' : 'idempotent',
    };
  }
  if (status === 404) {
    return { code: 'NOT_FOUND', message: `Stash at ${origin} has nothing at ${what} (HTTP 404)`, detail, retry: 'no' };
  }
  return {
    code: 'INTERNAL',
    message: `Stash at ${origin} could not run ${what} (${detail}); is this Stash version supported?`,
    detail,
    retry: 'no',
  };
}

/** The error thrown to callers: the cause is a fresh, scrubbed Error, never the original (which holds the request). */
export function toSenseError(failure: StashFailure, attempts: number): SenseError {
  const cause = new Error(attempts > 1 ? `${failure.detail} (after ${attempts} attempts)` : failure.detail);
  return new SenseError(failure.code, failure.message, { cause });
}

/** The system error code (ECONNREFUSED, ...) somewhere in a fetch failure's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = current.cause;
  }
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message)) return 'connection failed';
  return undefined;
}

/** One line from an error and its causes, with URL query strings removed (the key is scrubbed by the caller). */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return redactUrlsInText(parts.join(': ')).slice(0, 500);
}
