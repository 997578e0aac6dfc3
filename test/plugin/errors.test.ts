import { describe, expect, it } from 'vitest';
import { describeError, SidecarError } from '../../plugin-bridge/src/errors.js';

const url = 'http://nas:6960';

describe('what the plugin says when something fails', () => {
  it('a sidecar that does not answer: names the address and both places to fix it', () => {
    const text = describeError(new SidecarError('unreachable', `No answer from ${url}`), url);
    expect(text.title).toBe('Stash Sense is not reachable');
    expect(text.detail).toContain(url);
    expect(text.hint).toContain('Stash Sense URL');
    expect(text.hint).toContain('PUBLIC_URL');
  });

  it.each([
    ['DATABASE_NOT_LOADED', 'The face database is not loaded', 'enroll'],
    ['STASH_UNAVAILABLE', 'The sidecar cannot reach Stash', 'STASH_URL'],
    ['STASH_AUTH', "Stash refused the sidecar's API key", 'STASH_API_KEY'],
    ['GRAPHQL_VALIDATION_FAILED', 'The sidecar does not understand this plugin', 'same version'],
    ['UNAUTHENTICATED', 'Stash Sense needs its API key', 'Stash Sense API key'],
    ['BUSY', 'Stash Sense is busy', 'Try again'],
  ])('%s: a title, the sidecar’s own message, and what to do', (code, title, fix) => {
    const text = describeError(new SidecarError('graphql', 'the sidecar said so', code), url);
    expect(text).toEqual({ title, detail: 'the sidecar said so', hint: expect.stringContaining(fix) });
  });

  it('an answer that is not GraphQL, an unknown code, and a plugin bug each still read as a sentence', () => {
    expect(describeError(new SidecarError('http', `${url} answered HTTP 502`, undefined, 502), url)).toMatchObject({ title: 'Stash Sense answered HTTP 502' });
    expect(describeError(new SidecarError('graphql', 'Unexpected error.', 'INTERNAL'), url)).toEqual({ title: 'Stash Sense reported an error', detail: 'Unexpected error.' });
    expect(describeError(new TypeError('x is undefined'), url)).toEqual({ title: 'The Stash Sense plugin hit an unexpected error', detail: 'x is undefined' });
  });
});
