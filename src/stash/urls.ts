import { SenseError } from '../errors.js';

/** Where Stash lives, as the user configured it: `http://stash:9999`, or behind a proxy `https://host/stash`. */
export interface StashBase {
  /** Scheme, host and port only; safe to log. */
  origin: string;
  /** The configured base with no trailing slash (a trailing `/graphql` is dropped); never carries credentials. */
  baseUrl: string;
  graphqlUrl: string;
}

export function parseStashBase(url: string): StashBase {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SenseError('BAD_INPUT', 'The Stash URL is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SenseError('BAD_INPUT', `The Stash URL must start with http:// or https://, not ${parsed.protocol}`);
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/graphql$/, '');
  const baseUrl = `${parsed.origin}${path}`;
  return { origin: parsed.origin, baseUrl, graphqlUrl: `${baseUrl}/graphql` };
}

/**
 * The URL to fetch for a media path or URL Stash reported. A relative path is resolved against the configured
 * base. An absolute URL on another origin (Stash's `external_host`, or the host name Stash saw) is moved onto the
 * configured origin, so the ApiKey header only ever goes to the Stash the user configured. Any `apikey` query
 * parameter is removed: the key travels in the header.
 */
export function resolveMediaUrl(base: StashBase, pathOrUrl: string): URL {
  let url: URL;
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) {
    try {
      url = new URL(pathOrUrl);
    } catch {
      throw new SenseError('BAD_INPUT', 'A Stash media URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SenseError('BAD_INPUT', `A Stash media URL must be http or https, not ${url.protocol}`);
    }
    if (url.origin !== base.origin) url = new URL(`${url.pathname}${url.search}`, base.origin);
  } else {
    const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`;
    url = new URL(`${base.baseUrl}${path}`);
  }
  url.username = '';
  url.password = '';
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase() === 'apikey') url.searchParams.delete(name);
  }
  return url;
}

/** A URL as it may appear in a log line or an error: no query string, no credentials. */
export function redactUrl(url: URL | string): string {
  const parsed = typeof url === 'string' ? safeParse(url) : url;
  if (!parsed) return '<url>';
  return `${parsed.origin}${parsed.pathname}`;
}

/** Removes query strings (Stash puts `?apikey=` in stream URLs) from every URL inside a free-form text. */
export function redactUrlsInText(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s"'<>?#]+)[?#][^\s"'<>]*/gi, '$1')
    .replace(/([?&]apikey=)[^&\s"'<>]*/gi, '$1***');
}

function safeParse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
