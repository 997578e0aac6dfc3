export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'STASH_UNAVAILABLE'
  | 'STASH_AUTH'
  | 'DATABASE_NOT_LOADED'
  | 'MODEL_MISSING'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  | 'CANCELLED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BUSY'
  | 'URL_REFUSED'
  | 'TIMEOUT'
  | 'QUERY_TOO_COMPLEX'
  | 'STASHBOX_UNAVAILABLE'
  | 'STASHBOX_AUTH'
  | 'INFERENCE_FAILED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'INTERNAL';

/** An error a user can cause or fix; its message is safe to show them (it never holds a secret). */
export class SenseError extends Error {
  override readonly name = 'SenseError';
  /** BUSY: when the client may try again; sent as `extensions.retryAfterSeconds`. */
  readonly retryAfterSeconds?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions & { retryAfterSeconds?: number },
  ) {
    super(message, options);
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

const errorCodes: ReadonlySet<string> = new Set<ErrorCode>([
  'BAD_INPUT', 'NOT_FOUND', 'STASH_UNAVAILABLE', 'STASH_AUTH', 'DATABASE_NOT_LOADED', 'MODEL_MISSING', 'PAYLOAD_TOO_LARGE', 'CONFLICT', 'CANCELLED',
  'UNAUTHENTICATED', 'FORBIDDEN', 'BUSY', 'URL_REFUSED', 'TIMEOUT', 'QUERY_TOO_COMPLEX', 'STASHBOX_UNAVAILABLE', 'STASHBOX_AUTH', 'INFERENCE_FAILED', 'UPSTREAM_UNAVAILABLE', 'INTERNAL',
]);

/** Whether a code read from elsewhere (a job record, another process's answer) is one of ours. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && errorCodes.has(code);
}

/**
 * Checked by shape as well as by class: a module can be evaluated twice (vitest's runner beside Node's own
 * loader, or dist/ beside src/), and each copy has its own SenseError class.
 */
export function isSenseError(error: unknown): error is SenseError {
  if (error instanceof SenseError) return true;
  return error instanceof Error && error.name === 'SenseError' && errorCodes.has(String((error as { code?: unknown }).code));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
