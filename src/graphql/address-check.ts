// Which Host and Origin headers /graphql answers. A DNS-rebinding page reaches the sidecar under the attacker's
// own host name, so a name is accepted only when it is configured (or is localhost); IP literals cannot be
// rebound and pass. An Origin must be the sidecar's own (same host) or one allowed by CORS.
import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

export interface AddressCheckOptions {
  /** Where browsers reach the sidecar (PUBLIC_URL), Stash's address, CORS_ORIGINS, ALLOWED_HOSTS, HOST. */
  urls: (string | null | undefined)[];
  allowedHosts: string[];
  bindHost: string;
  /** Origins allowed to call the API from a browser (Stash's, CORS_ORIGINS). */
  allowedOrigins: string[];
  /** TRUST_PROXY: the address the client used is in X-Forwarded-Host. */
  trustProxy: boolean;
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

export type AddressCheck = (headers: IncomingHttpHeaders) => AddressVerdict;

export function createAddressCheck(options: AddressCheckOptions): AddressCheck {
  const names = new Set<string>(options.allowedHosts.map((host) => host.toLowerCase()));
  for (const url of options.urls) {
    const host = url ? hostnameOf(url) : undefined;
    if (host) names.add(host);
  }
  if (!['0.0.0.0', '::', ''].includes(options.bindHost)) names.add(options.bindHost.toLowerCase());
  const origins = new Set(options.allowedOrigins);

  const hostAllowed = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost') || isIpLiteral(hostname) || names.has(hostname);

  return (headers) => {
    const hostHeader = (options.trustProxy ? firstValue(headers['x-forwarded-host']) : undefined) ?? headers.host;
    const hostname = hostHeader ? hostnameOf(`http://${hostHeader}`) : undefined;
    if (!hostname || !hostAllowed(hostname)) {
      return { ok: false, reason: `This sidecar does not answer to the host name used; add it to PUBLIC_URL or ALLOWED_HOSTS` };
    }
    const origin = firstValue(headers.origin);
    if (origin === undefined || origins.has(origin)) return { ok: true };
    const originHost = origin === 'null' ? undefined : hostOf(origin);
    if (originHost !== undefined && originHost === hostOf(`http://${hostHeader}`)) return { ok: true };
    return { ok: false, reason: 'Requests from this web page are not allowed; add its origin to CORS_ORIGINS' };
  };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
}

/** WHATWG URL parsing normalises numeric hosts (2130706433, 0x7f.1) to dotted IPv4 and lower-cases names. */
function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function isIpLiteral(hostname: string): boolean {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare));
}
