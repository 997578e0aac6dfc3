import type { CORSOptions } from 'graphql-yoga';
import type { Config } from '../config.js';

export type CorsConfig = { server: Pick<Config['server'], 'corsOrigins'>; stash: Pick<NonNullable<Config['stash']>, 'url'> | null };

/** The browser origins allowed to call the sidecar: Stash's (from STASH_URL) and CORS_ORIGINS, normalised. */
export function allowedOrigins(config: CorsConfig): string[] {
  const origins = new Set<string>();
  for (const candidate of [config.stash?.url, ...config.server.corsOrigins]) {
    const origin = candidate ? toOrigin(candidate) : undefined;
    if (origin) origins.add(origin);
  }
  return [...origins];
}

/**
 * Yoga's `cors` option. A request from an allowed origin gets CORS headers naming that origin; any other origin
 * gets none, so its browser blocks the answer. (Yoga allows every origin when given an empty list, so a list
 * alone would open the API to any page whenever STASH_URL and CORS_ORIGINS are both unset.)
 */
export function corsOptions(config: CorsConfig): (request: Request) => CORSOptions {
  const allowed = new Set(allowedOrigins(config));
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'accept', 'apikey', 'authorization', 'graphql-client-name', 'x-graphql-event-stream-token'],
      // The plugin sends no cookies: the sidecar has no session to protect.
      credentials: false,
      maxAge: 600,
    };
  };
}

function toOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
