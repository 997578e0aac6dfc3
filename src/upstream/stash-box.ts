// Upstream names stash-boxes three ways: short names in performers.db ('stashdb'), domains in universal ids
// ('stashdb.org:<uuid>'), and Stash itself stores the GraphQL URL in `stash_ids.endpoint`
// ('https://stashdb.org/graphql'). Everything we hand on uses the URL, so a linker can compare it with Stash's.

export interface StashBoxId {
  /** The stash-box GraphQL URL, as Stash stores it in `stash_ids.endpoint`. */
  endpoint: string;
  stashId: string;
}

/** Upstream's table (`config.get_stashbox_shortname` and the export script's domain map). */
const DOMAIN_BY_SHORT_NAME: Record<string, string> = {
  stashdb: 'stashdb.org',
  theporndb: 'theporndb.net',
  fansdb: 'fansdb.cc',
  pmvstash: 'pmvstash.org',
  javstash: 'javstash.org',
};

/** The domain form upstream puts in universal ids, for a performers.db endpoint value. */
export function domainOfEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim().toLowerCase();
  if (/^https?:\/\//.test(trimmed)) return trimmed.replace(/^https?:\/\//, '').replace(/\/graphql\/?$/, '').replace(/\/$/, '');
  if (trimmed.includes('.')) return trimmed;
  // Upstream's fallback for a short name it does not know.
  return DOMAIN_BY_SHORT_NAME[trimmed] ?? `${trimmed}.org`;
}

export function endpointUrlOfDomain(domain: string): string {
  return `https://${domain}/graphql`;
}

/** `stashdb.org:<uuid>` → the stash-box id it names; undefined when it is not of that shape. */
export function parseUniversalId(universalId: string): StashBoxId | undefined {
  const colon = universalId.indexOf(':');
  if (colon <= 0 || colon === universalId.length - 1) return undefined;
  const domain = domainOfEndpoint(universalId.slice(0, colon));
  return { endpoint: endpointUrlOfDomain(domain), stashId: universalId.slice(colon + 1) };
}
