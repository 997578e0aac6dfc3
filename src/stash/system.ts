import { errorMessage } from '../errors.js';
import type { StashClient, StashRequestOptions } from './client.js';
import { StashStatusDocument } from './generated/graphql.js';

/** Stash as `Query.health` reports it (the shape of health's StashStatus). */
export interface StashHealth {
  configured: true;
  url: string;
  reachable: boolean;
  version: string | null;
  error: string | null;
}

/** Asks Stash for its version; never throws: an unreachable Stash or a refused key is reported in `error`. */
export async function checkStash(stash: StashClient, options: StashRequestOptions = {}): Promise<StashHealth> {
  try {
    const { version, systemStatus } = await stash.request(StashStatusDocument, {}, options);
    const error = systemStatus.status === 'OK' ? null : `Stash reports status ${systemStatus.status}`;
    return { configured: true, url: stash.origin, reachable: true, version: version.version ?? version.hash, error };
  } catch (error: unknown) {
    return { configured: true, url: stash.origin, reachable: false, version: null, error: errorMessage(error) };
  }
}
