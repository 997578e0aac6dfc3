// Turns what ffmpeg/ffprobe print into a SenseError a user can act on, and scrubs secrets from anything kept.
import { SenseError } from '../errors.js';
import type { VideoStream } from './types.js';

type Rule = { pattern: RegExp; error: () => SenseError };

// Checked in order; the first rule matching any stderr line wins.
const rules: Rule[] = [
  { pattern: /Server returned 40[13]\b/, error: () => new SenseError('STASH_AUTH', 'Stash refused the API key for the video stream') },
  { pattern: /Server returned 404\b/, error: () => new SenseError('NOT_FOUND', 'Stash has no video stream at the address it reported for this scene') },
  {
    pattern: /Server returned 5\d\d\b|Server returned 5XX|Connection refused|Connection reset|Connection timed out|Operation timed out|Network is unreachable|No route to host|Failed to resolve hostname|Name or service not known|End of file while parsing|Broken pipe/i,
    error: () => new SenseError('STASH_UNAVAILABLE', 'Stash did not deliver the video stream (unreachable, timed out or failing)'),
  },
  {
    pattern: /Invalid data found when processing input|moov atom not found|could not find codec parameters|does not contain any stream|matches no streams|no video stream|Invalid NAL|error while decoding|Decoding error|Output file #\d+ does not contain/i,
    error: () => new SenseError('BAD_INPUT', 'The scene file is not a video ffmpeg can read (corrupt or not a video)'),
  },
];

/** The error for a failed ffmpeg or ffprobe run, judged from its stderr lines. */
export function classifyFfmpegFailure(lines: readonly string[], fallback: () => SenseError): SenseError {
  for (const rule of rules) if (lines.some((line) => rule.pattern.test(line))) return rule.error();
  return fallback();
}

export function missingBinaryError(binary: string): SenseError {
  return new SenseError(
    'INTERNAL',
    `${binary} was not found; install ffmpeg (it provides ffmpeg and ffprobe) or point the ffmpeg path setting at it`,
  );
}

/** Every secret a stream carries: header values, query values and URL credentials. */
export function streamSecrets(stream: VideoStream): string[] {
  const headers = stream.headers ?? {};
  const secrets =
    typeof headers === 'string'
      ? headers.split(/\r?\n/).map((line) => line.slice(line.indexOf(':') + 1).trim()).filter(Boolean)
      : Object.values(headers);
  try {
    const url = new URL(stream.url);
    for (const value of url.searchParams.values()) secrets.push(value);
    if (url.password) secrets.push(url.password);
    if (url.username) secrets.push(url.username);
    if (stream.proxy) secrets.push(new URL(stream.proxy).password);
  } catch {
    // Not a URL (a local path): it carries no query secrets.
  }
  return [...new Set(secrets.filter((secret) => secret.length >= 3))].sort((a, b) => b.length - a.length);
}

/** The text with each secret (raw or URL-encoded) and any `key=value` credential replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out.replace(/((?:api_?key|token|password|secret)=)[^&\s'"]+/gi, '$1***').replace(/(ApiKey:\s*)\S+/gi, '$1***');
}

/** A stream's URL as it may appear in logs: origin and path, no query or credentials. */
export function describeStream(stream: VideoStream): string {
  if (stream.label) return redact(stream.label, streamSecrets(stream));
  try {
    const url = new URL(stream.url);
    return `${url.origin}${url.pathname}`;
  } catch {
    return redact(stream.url, streamSecrets(stream));
  }
}
