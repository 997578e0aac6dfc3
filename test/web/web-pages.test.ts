// What a browser sees at the sidecar's address: our status page at /, GraphiQL built from our own package
// (nothing fetched from another host, checked in the page and in headless Chromium with the network blocked),
// and a plain 404 of ours for any other path.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/fixtures.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const temp = makeTempDir('web-pages-');
let app: App;
let server: TestServer;

beforeAll(async () => {
  ({ app } = await openTestApp(join(temp.path, 'data')));
  // The edge exactly as `stash-sense serve` wires it (status page, offline GraphiQL and 404 included).
  server = await startTestServer(app);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  temp.remove();
});

/** Addresses a page would load: tag src/href attributes, CSS url() and @import. */
function loadedUrls(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\s(?:src|href|data)\s*=\s*["']([^"']+)["']/gi)) found.push(match[1]!);
  for (const match of html.matchAll(/url\(\s*["']?([^"')\s]+)/gi)) found.push(match[1]!);
  for (const match of html.matchAll(/@import\s+(?:url\()?["']?([^"')\s;]+)/gi)) found.push(match[1]!);
  return found;
}

function otherHosts(urls: string[], origin: string): string[] {
  return urls.filter((url) => /^(https?:)?\/\//i.test(url) && new URL(url, origin).origin !== origin);
}

describe('the page at /', () => {
  it('shows status, database counts, links to GraphiQL and the plugin, and where the API key is', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<h1>Stash Sense</h1>');
    expect(html).toMatch(/<th>Status<\/th><td>ok<\/td>/);
    expect(html).toMatch(/<th>Face database<\/th><td>0 performers, 0 faces<\/td>/);
    expect(html).toContain('<a href="/graphql">GraphiQL</a>');
    expect(html).toContain(`<code>${server.url}/plugin/index.yml</code>`);
    expect(html).toContain(`<code>${join(app.config.paths.dataDir, 'api-key')}</code>`);
    expect(html).toContain('<code>ApiKey: &lt;key&gt;</code>');
    expect(html).toMatch(/The face database is empty/);
    expect(otherHosts(loadedUrls(html), server.url)).toEqual([]);
  });
});

describe('unknown paths', () => {
  it.each(['/nope', '/graphiql', '/favicon.ico'])('%s is a plain 404 of ours, not Yoga’s landing page', async (path) => {
    for (const accept of ['text/html', '*/*']) {
      const response = await fetch(`${server.url}${path}`, { headers: { accept } });
      expect(response.status).toBe(404);
      const body = await response.text();
      expect(body).toBe(`Not found: ${path}\nStash Sense serves /, /graphql, /health and /plugin/index.yml.\n`);
    }
  });
});

describe('GraphiQL', () => {
  it('is served from our own files: the page references no other host', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>Stash Sense</title>');
    expect(html).not.toContain('__TITLE__');
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr|esm\.sh/);
    const urls = loadedUrls(html);
    expect(otherHosts(urls, server.url)).toEqual([]);
    // Every address the page loads is inline (data:, or built in script) or this server's, and each of those answers.
    for (const url of urls.filter((candidate) => /^(https?:\/\/|\/)/.test(candidate))) {
      expect((await fetch(new URL(url, server.url))).status, url).toBe(200);
    }
  });

  it.skipIf(!existsSync(chromiumPath))('renders its editor in Chromium with every non-loopback request blocked', { timeout: 120_000 }, async () => {
    const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    try {
      const page = await browser.newPage();
      const blocked: string[] = [];
      const graphqlPosts: number[] = [];
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
          // As a user does in GraphiQL's Headers pane: the API key goes with each operation (authentication is on).
          if (url.pathname === '/graphql' && route.request().method() === 'POST') {
            return route.continue({ headers: { ...route.request().headers(), ...server.authHeaders } });
          }
          return route.continue();
        }
        blocked.push(url.href);
        return route.abort();
      });
      page.on('response', (response) => {
        if (response.url() === `${server.url}/graphql` && response.request().method() === 'POST') graphqlPosts.push(response.status());
      });
      await page.goto(`${server.url}/graphql`, { waitUntil: 'load', timeout: 90_000 });
      await page.waitForSelector('.graphiql-container .monaco-editor', { timeout: 90_000 });
      // GraphiQL fetched the schema (introspection) from this server: the editor is live, not a blank page.
      await page.waitForFunction(() => document.querySelector('.graphiql-container') !== null, undefined, { timeout: 10_000 });
      await expect.poll(() => graphqlPosts.length, { timeout: 60_000 }).toBeGreaterThan(0);
      expect(graphqlPosts.every((status) => status === 200)).toBe(true);
      expect(await page.innerText('#root')).not.toMatch(/Loading/);
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
