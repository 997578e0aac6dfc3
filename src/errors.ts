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
  | 'INTERNAL';

/** An error a user can cause or fix; its message is safe to show them (it never holds a secret). */
export class SenseError extends Error {
  override readonly name = 'SenseError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isSenseError(error: unknown): error is SenseError {
  return error instanceof SenseError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
