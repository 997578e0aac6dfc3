import pThrottle from 'p-throttle';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { StashBoxConnectionsDocument, type StashClient, type StashRequestOptions } from '../stash/index.js';
import { createStashBoxClient, safeEndpoint, type RateGate, type StashBoxClient, type StashBoxClientOptions, type StashBoxEndpoint } from './client.js';

/** The user's stash-boxes, read from Stash's configuration each time (so a key changed in Stash applies at once). */
export interface StashBoxConnections {
  list(options?: StashRequestOptions): Promise<StashBoxEndpoint[]>;
  /** A client for that endpoint; NOT_FOUND when Stash has no stash-box configured at that URL. */
  client(endpoint: string, options?: StashRequestOptions): Promise<StashBoxClient>;
  /** Clients for every configured stash-box. */
  clients(options?: StashRequestOptions): Promise<StashBoxClient[]>;
}

export interface StashBoxConnectionsDeps {
  stash: () => StashClient;
  options: StashBoxClientOptions;
  logger: Logger;
}

export function createStashBoxConnections(deps: StashBoxConnectionsDeps): StashBoxConnections {
  // One limiter per endpoint for the life of the service, shared by every client made for it, so two jobs or
  // requests together still keep to the limit.
  const gates = new Map<string, { perMinute: number; gate: RateGate }>();
  const gateFor = (box: StashBoxEndpoint): RateGate => {
    const perMinute = Math.max(1, Math.min(deps.options.requestsPerMinute, box.maxRequestsPerMinute > 0 ? box.maxRequestsPerMinute : Number.POSITIVE_INFINITY));
    const known = gates.get(box.endpoint);
    if (known && known.perMinute === perMinute) return known.gate;
    // One call per slot, spread evenly over the minute, rather than a burst at the start of each minute.
    const throttled = pThrottle({ limit: 1, interval: Math.ceil(60_000 / perMinute) })(<T>(run: () => Promise<T>) => run());
    const gate: RateGate = (run) => throttled(run) as Promise<Awaited<ReturnType<typeof run>>>;
    gates.set(box.endpoint, { perMinute, gate });
    return gate;
  };

  async function read(options: StashRequestOptions = {}): Promise<(StashBoxEndpoint & { apiKey: string })[]> {
    const { configuration } = await deps.stash().request(StashBoxConnectionsDocument, {}, options);
    return configuration.general.stashBoxes.map((box) => ({
      endpoint: box.endpoint.trim(),
      name: box.name.trim() || safeEndpoint(box.endpoint),
      apiKey: box.api_key,
      maxRequestsPerMinute: box.max_requests_per_minute,
    }));
  }
  const make = (box: StashBoxEndpoint & { apiKey: string }) => createStashBoxClient(box, gateFor(box), deps.options, deps.logger);

  return {
    async list(options) {
      return (await read(options)).map(({ endpoint, name, maxRequestsPerMinute }) => ({ endpoint, name, maxRequestsPerMinute }));
    },
    async client(endpoint, options) {
      const boxes = await read(options);
      const box = boxes.find((b) => sameEndpoint(b.endpoint, endpoint));
      if (!box) {
        const known = boxes.map((b) => b.endpoint).join(', ') || 'none';
        throw new SenseError('NOT_FOUND', `Stash has no stash-box configured at ${safeEndpoint(endpoint)} (configured: ${known})`);
      }
      return make(box);
    },
    async clients(options) {
      return (await read(options)).map(make);
    },
  };
}

/** Stash compares endpoints as stored; a trailing slash is the one difference users make by hand. */
export function sameEndpoint(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');
}
