import { GraphQLError } from 'graphql';
import { isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Yoga's `maskedErrors.maskError`: a SenseError keeps its message and gets `extensions.code`; GraphQL's own
 * errors (validation, bad variables) pass through; anything else is a bug, logged with its stack and shown as
 * "Unexpected error." so no internal detail (or secret) leaks to the client.
 */
export function createErrorMasker(logger: Logger) {
  return (error: unknown): Error => {
    const graphqlError = isGraphQLError(error) ? error : undefined;
    const original = graphqlError ? (graphqlError.originalError ?? undefined) : error;
    const path = graphqlError?.path;
    if (isSenseError(original)) {
      const extensions = original.retryAfterSeconds === undefined ? { code: original.code } : { code: original.code, retryAfterSeconds: original.retryAfterSeconds };
      return new GraphQLError(original.message, { path, extensions });
    }
    if (graphqlError && (original === undefined || isGraphQLError(original))) {
      return graphqlError;
    }
    logger.error('unexpected error', { error: original instanceof Error ? (original.stack ?? original.message) : String(original) });
    return new GraphQLError('Unexpected error.', { path, extensions: { code: 'INTERNAL' } });
  };
}

/**
 * By shape, not `instanceof`: graphql ships CommonJS and ESM builds, and Yoga's executor may throw from the
 * other copy than the one this module imports.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** A GraphQL-shaped error response for requests rejected before Yoga sees them. */
export function graphqlErrorBody(message: string, code: string, extra: Record<string, number> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] });
}
