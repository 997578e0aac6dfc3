// JSON columns: what goes in, what comes out, and a stable hash of a value for evidence comparison.
import { createHash } from 'node:crypto';

/** `undefined` is stored as SQL NULL so it comes back as `undefined`, and `null` as the text "null". */
export function toJsonColumn(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`value of type ${typeof value} cannot be stored as JSON`);
  return text;
}

export function fromJsonColumn(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
}

/** JSON with object keys sorted at every level, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

export function hashJson(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortKeys((value as { toJSON(): unknown }).toJSON());
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
