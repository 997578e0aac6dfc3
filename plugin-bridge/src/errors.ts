// What went wrong talking to the sidecar, and how to say it to a person. No DOM here: the tests import it.

export type SidecarErrorKind = 'unreachable' | 'http' | 'graphql';

export class SidecarError extends Error {
  override readonly name = 'SidecarError';
  constructor(
    readonly kind: SidecarErrorKind,
    message: string,
    /** extensions.code of a GraphQL error (DATABASE_NOT_LOADED, STASH_UNAVAILABLE, …). */
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ErrorDescription {
  title: string;
  detail: string;
  hint?: string;
}

/** What a person reads when something fails: what happened, the sidecar's own words, and what to do. */
export function describeError(error: unknown, sidecarUrl: string): ErrorDescription {
  if (!(error instanceof SidecarError)) {
    return { title: 'The Stash Sense plugin hit an unexpected error', detail: error instanceof Error ? error.message : String(error) };
  }
  if (error.kind === 'unreachable') {
    return {
      title: 'Stash Sense is not reachable',
      detail: `${error.message}. Is the sidecar running?`,
      hint: `If it is, set “Stash Sense URL” under Settings → Plugins → Stash Sense to the address your browser reaches it at (now ${sidecarUrl}). Stash lets this page connect only to the sidecar's PUBLIC_URL, so set PUBLIC_URL on the sidecar to that same address and reinstall the plugin.`,
    };
  }
  if (error.kind === 'http') {
    return { title: `Stash Sense answered HTTP ${error.status ?? '?'}`, detail: error.message, hint: `Check that ${sidecarUrl} is the Stash Sense sidecar.` };
  }
  switch (error.code) {
    case 'DATABASE_NOT_LOADED':
      return {
        title: 'The face database is not loaded',
        detail: error.message,
        hint: 'Add performers with `stash-sense enroll` or import a face database on the sidecar, then try again.',
      };
    case 'STASH_UNAVAILABLE':
      return {
        title: 'The sidecar cannot reach Stash',
        detail: error.message,
        hint: 'Check STASH_URL on the sidecar (the address it uses to reach Stash) and that Stash is running.',
      };
    case 'UNAUTHENTICATED':
      return {
        title: 'Stash Sense needs its API key',
        detail: error.message,
        hint: 'Copy the key from the file api-key in the sidecar’s data folder (or its API_KEY) into “Stash Sense API key” under Settings → Plugins → Stash Sense.',
      };
    case 'BUSY':
      return { title: 'Stash Sense is busy', detail: error.message, hint: 'Try again in a few seconds.' };
    case 'STASH_AUTH':
      return { title: "Stash refused the sidecar's API key", detail: error.message, hint: 'Set STASH_API_KEY on the sidecar to the key under Settings → Security in Stash.' };
    case 'NOT_FOUND':
      return { title: 'Not found', detail: error.message };
    case 'BAD_INPUT':
      return { title: 'Stash Sense could not do that', detail: error.message };
    case 'GRAPHQL_VALIDATION_FAILED':
      return { title: 'The sidecar does not understand this plugin', detail: error.message, hint: 'Update the sidecar and reinstall the plugin from it, so both come from the same version.' };
    default:
      return { title: 'Stash Sense reported an error', detail: error.message };
  }
}
