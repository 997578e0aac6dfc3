// The Stash side of the browser test, on loopback: it installs the plugin the way Stash's package manager does
// (index.yml → zip, sha256 checked, files unpacked), serves it the way Stash serves plugin files, and sends the
// page with Stash's Content-Security-Policy plus the manifest's connect-src. The page itself is the React
// harness in harness/stash-ui.jsx.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { unzipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../helpers/fixtures.js';

export interface InstalledPlugin {
  index: { id: string; name: string; version: string; date: string; path: string; sha256: string; metadata?: Record<string, unknown> }[];
  zip: Buffer;
  files: Record<string, Buffer>;
  manifest: { name: string; version: string; ui: { javascript: string[]; css: string[]; csp: { 'connect-src': string[] } }; settings: Record<string, { type?: string }> };
}

/** Installs from a plugin source URL as Stash does: the zip path is resolved against the index's URL. */
export async function installPlugin(indexUrl: string): Promise<InstalledPlugin> {
  const indexResponse = await fetch(indexUrl);
  if (!indexResponse.ok) throw new Error(`index.yml: HTTP ${indexResponse.status}`);
  const index = parseYaml(await indexResponse.text()) as InstalledPlugin['index'];
  const entry = index.find((candidate) => candidate.id === 'stash-sense');
  if (!entry) throw new Error('index.yml lists no stash-sense package');
  const zipResponse = await fetch(new URL(entry.path, indexUrl));
  if (!zipResponse.ok) throw new Error(`zip: HTTP ${zipResponse.status}`);
  const zip = Buffer.from(await zipResponse.arrayBuffer());
  const sha256 = createHash('sha256').update(zip).digest('hex');
  if (sha256 !== entry.sha256) throw new Error(`package data (${sha256}) does not match expected SHA256 (${entry.sha256})`);
  const files = Object.fromEntries(Object.entries(unzipSync(zip)).map(([name, data]) => [name, Buffer.from(data)]));
  const manifestFile = files['stash-sense.yml'];
  if (!manifestFile) throw new Error('the zip has no stash-sense.yml');
  return { index, zip, files, manifest: parseYaml(manifestFile.toString('utf8')) as InstalledPlugin['manifest'] };
}

export interface HarnessData {
  scenes: Record<string, { id: string; title: string; performers: { id: string; name: string }[] }>;
  images: Record<string, { id: string; title?: string; paths: { image: string }; visual_files: { width: number; height: number }[] }>;
  galleries: Record<string, { id: string; title?: string }>;
}

export interface StashUi {
  url: string;
  /** Stash's page CSP, with the installed manifest's connect-src. */
  csp: string;
  /** What Settings → Plugins → Stash Sense holds (configuration.plugins["stash-sense"]). */
  setPluginSettings(settings: Record<string, unknown>): void;
  close(): Promise<void>;
}

let harnessBundle: Promise<string> | undefined;

function bundleHarness(): Promise<string> {
  harnessBundle ??= build({
    entryPoints: [join(repoRoot, 'test/plugin/harness/stash-ui.jsx')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'transform',
    // The development build, so React's warnings (keys, hooks, DOM nesting) reach the test as console errors.
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return harnessBundle;
}

/** Stash's base policy (internal/api/server.go setPageSecurityHeaders) plus the plugins' connect-src. */
export function stashCsp(connectSrc: string[]): string {
  return [
    "default-src data: 'self' 'unsafe-inline'",
    `connect-src data: 'self' ws: wss: ${connectSrc.join(' ')}`.trim(),
    'img-src data: *',
    "script-src 'self' http://www.gstatic.com https://www.gstatic.com 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "media-src blob: 'self'",
    'worker-src blob:',
    "child-src 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ].join('; ');
}

const pageCss = `
body { background: #202b33; color: #f5f8fa; }
.top-nav { background: #394b59 !important; margin-bottom: 1rem; }
.card { background: #30404d; border-color: #394b59; }
.card-header { background: #293742; }
.nav-tabs .nav-link.active { background: #30404d; color: #f5f8fa; border-color: #394b59; }
.nav-tabs .nav-link { color: #bfccd6; }
.btn.minimal { color: #f5f8fa; }
.harness-player { background: #000; height: 320px; display: flex; align-items: center; justify-content: center; color: #666; }
.scene-tabs .tab-content { padding-top: 0.75rem; }
a { color: #48aff0; }
`;

export async function startStashUi(plugin: InstalledPlugin, options: { settings: Record<string, unknown>; data: HarnessData; media?: Record<string, string> }): Promise<StashUi> {
  const bundle = await bundleHarness();
  const bootstrapCss = readFileSync(join(repoRoot, 'node_modules/bootstrap/dist/css/bootstrap.min.css'));
  let settings = options.settings;
  const csp = stashCsp(plugin.manifest.ui.csp?.['connect-src'] ?? []);
  // Stash concatenates the plugin's ui.javascript files (relative paths) and serves them at /plugin/{id}/javascript.
  const concat = (names: string[]) => Buffer.concat(names.map((name) => plugin.files[name] ?? Buffer.alloc(0)));
  const javascript = concat(plugin.manifest.ui.javascript);
  const css = concat(plugin.manifest.ui.css);

  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="/"><title>Stash</title>
<link rel="stylesheet" href="/bootstrap.css"><link rel="stylesheet" href="/harness.css"><link rel="stylesheet" href="/plugin/stash-sense/css">
</head><body><div id="root"></div>
<script>window.__harnessData = ${JSON.stringify(options.data).replaceAll('<', '\\u003c')};</script>
<script src="/harness.js"></script>
<script src="/plugin/stash-sense/javascript"></script>
<script>window.__startHarness();</script>
</body></html>`;

  const send = (response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
    response.end(body);
  };
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://ui.invalid').pathname;
    void (async () => {
      if (path === '/graphql' && request.method === 'POST') {
        const body = JSON.parse(await readBody(request)) as { query?: string };
        if (!body.query?.includes('configuration')) return send(response, 400, 'application/json', JSON.stringify({ errors: [{ message: 'the harness answers only the settings query' }] }));
        return send(response, 200, 'application/json', JSON.stringify({ data: { configuration: { plugins: { 'stash-sense': settings } } } }));
      }
      if (path === '/harness.js') return send(response, 200, 'text/javascript; charset=utf-8', bundle);
      if (path === '/plugin/stash-sense/javascript') return send(response, 200, 'text/javascript; charset=utf-8', javascript);
      if (path === '/plugin/stash-sense/css') return send(response, 200, 'text/css; charset=utf-8', css);
      if (path === '/bootstrap.css') return send(response, 200, 'text/css; charset=utf-8', bootstrapCss);
      if (path === '/harness.css') return send(response, 200, 'text/css; charset=utf-8', pageCss);
      const media = options.media?.[path];
      if (media) return send(response, 200, 'image/jpeg', readFileSync(media));
      if (path === '/favicon.ico') return send(response, 204, 'image/x-icon', '');
      return send(response, 200, 'text/html; charset=utf-8', page, { 'content-security-policy': csp });
    })().catch((error: unknown) => send(response, 500, 'text/plain', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    csp,
    setPluginSettings: (next) => {
      settings = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
