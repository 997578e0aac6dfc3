import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Says whether a request carries the API key, in header `ApiKey` or `Authorization: Bearer`. */
export type CredentialCheck = (headers: IncomingHttpHeaders) => boolean;

export function createCredentialCheck(key: string): CredentialCheck {
  // Both sides hashed first: equal lengths for timingSafeEqual, and no early exit that times the key's length.
  const expected = digest(key);
  return (headers) => {
    const presented = presentedKey(headers);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

/** The key a request presents, or undefined when it presents none. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers.apikey;
  const direct = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  if (direct?.trim()) return direct.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
