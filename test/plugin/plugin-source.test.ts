// The plugin source as Stash's package manager reads it (pkg/pkg: index.yml is a list of RemotePackage with
// id, name, version, date "2006-01-02 15:04:05", path relative to the index URL, sha256 of the zip; the zip is
// unpacked flat into plugins/<id>/).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crc32 as nodeCrc32 } from 'node:zlib';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { HttpRoute } from '../../src/graphql/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { createPluginRoutes, PLUGIN_INDEX_PATH, type PluginRoutesOptions } from '../../src/plugin/index.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import type { InstalledPlugin } from './stash-ui.js';

const pluginDir = join(repoRoot, 'plugin-bridge');
const servers: Server[] = [];
const temp = makeTempDir();

/**
 * Serves routes the way src/graphql/server.ts dispatches them, plus HEAD on GET routes (Stash checks a cached
 * index with HEAD before it downloads it again).
 */
async function serve(routes: HttpRoute[]): Promise<string> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = routes.find((candidate) => candidate.path === path && candidate.method === method);
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    void route.handle(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function source(options: Partial<PluginRoutesOptions> = {}) {
  const logger = createRecordingLogger();
  const base = await serve(createPluginRoutes({ publicUrl: 'https://sense.example.com:8443/sense/', version: '1.2.3', logger, ...options }));
  return { base, logger, indexUrl: `${base}${PLUGIN_INDEX_PATH}` };
}

async function download(indexUrl: string, headers: Record<string, string> = {}) {
  const indexResponse = await fetch(indexUrl, { headers });
  const text = await indexResponse.text();
  const index = parseYaml(text) as InstalledPlugin['index'];
  const zipResponse = await fetch(new URL(index[0]!.path, indexUrl), { headers });
  const zip = Buffer.from(await zipResponse.arrayBuffer());
  const files = unzipSync(zip);
  const manifest = parseYaml(Buffer.from(files['stash-sense.yml']!).toString('utf8')) as InstalledPlugin['manifest'] & { description: string; url: string };
  return { indexResponse, text, index, zipResponse, zip, files, manifest, javascript: Buffer.from(files['stash-sense.js']!).toString('utf8') };
}

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  temp.remove();
});

describe('the plugin source at /plugin/index.yml', () => {
  let served: Awaited<ReturnType<typeof download>>;
  let indexUrl: string;
  beforeAll(async () => {
    ({ indexUrl } = await source());
    served = await download(indexUrl);
  });

  it('lists one stash-sense package: name, version, date, a zip path next to it, and that zip’s sha256', () => {
    expect(served.indexResponse.headers.get('content-type')).toMatch(/yaml/);
    expect(served.index).toHaveLength(1);
    const newest = Math.max(...['stash-sense.yml', 'stash-sense.js', 'stash-sense.css'].map((name) => statSync(join(pluginDir, name)).mtimeMs));
    expect(served.index[0]).toEqual({
      id: 'stash-sense',
      name: 'Stash Sense',
      version: '1.2.3',
      date: new Date(Math.floor(newest / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' '),
      path: 'stash-sense.zip',
      sha256: createHash('sha256').update(served.zip).digest('hex'),
      metadata: { description: served.manifest.description },
    });
    expect(served.zipResponse.headers.get('content-type')).toBe('application/zip');
  });

  it('zips the manifest, the bundle and the CSS at the top level, with CRCs a zip reader accepts', () => {
    expect(Object.keys(served.files).sort()).toEqual(['stash-sense.css', 'stash-sense.js', 'stash-sense.yml']);
    // The central directory's CRC and Unix mode for each entry, checked against Node's own CRC-32.
    const zip = served.zip;
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    let offset = zip.readUInt32LE(end + 16);
    for (let entry = 0; entry < zip.readUInt16LE(end + 10); entry++) {
      expect(zip.readUInt32LE(offset)).toBe(0x02014b50);
      const nameLength = zip.readUInt16LE(offset + 28);
      const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
      expect(zip.readUInt32LE(offset + 16)).toBe(nodeCrc32(served.files[name]!));
      expect((zip.readUInt32LE(offset + 38) >>> 16) & 0o777).toBe(0o644);
      offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
    }
  });

  it('carries a manifest Stash loads: the UI files, PUBLIC_URL’s origin in connect-src, and the settings', () => {
    const { manifest } = served;
    expect(manifest).toMatchObject({
      name: 'Stash Sense',
      version: '1.2.3',
      ui: { javascript: ['stash-sense.js'], css: ['stash-sense.css'], csp: { 'connect-src': ['https://sense.example.com:8443'] } },
    });
    expect(Object.keys(manifest.settings).sort()).toEqual(['apiKey', 'maxResults', 'minConfidence', 'sidecarUrl']);
    expect(manifest.settings).toMatchObject({ sidecarUrl: { type: 'STRING' }, minConfidence: { type: 'NUMBER' }, maxResults: { type: 'NUMBER' } });
    expect(JSON.stringify(manifest)).not.toContain('__STASH_SENSE_');
    expect(JSON.stringify(manifest.settings)).toContain('https://sense.example.com:8443/sense');
  });

  it('serves the committed bundle with PUBLIC_URL as the default sidecar address', async () => {
    const { readFile } = await import('node:fs/promises');
    const committed = await readFile(join(pluginDir, 'stash-sense.js'), 'utf8');
    expect(served.javascript).toBe(committed.replaceAll('"__STASH_SENSE_PUBLIC_URL__"', '"https://sense.example.com:8443/sense"'));
    expect(served.javascript).not.toContain('__STASH_SENSE_');
  });

  it('gives the same bytes on every download, so the zip fetched after the index matches its sha256', async () => {
    const again = await download(indexUrl);
    expect(again.zip.equals(served.zip)).toBe(true);
    const elsewhere = await download((await source()).indexUrl);
    expect(elsewhere.index[0]!.sha256).toBe(served.index[0]!.sha256);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await fetch(indexUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(served.text));
    expect(await head.text()).toBe('');
  });
});

describe('the plugin source without PUBLIC_URL', () => {
  it('allows the address Stash fetched it from, ignores forwarded headers, and warns once to set PUBLIC_URL', async () => {
    const { indexUrl, logger } = await source({ publicUrl: null });
    const direct = await download(indexUrl);
    expect(direct.manifest.ui.csp['connect-src']).toEqual([new URL(indexUrl).origin]);
    expect(direct.javascript).toContain(JSON.stringify(new URL(indexUrl).origin));

    // Without TRUST_PROXY anyone could name the plugin's sidecar with these headers: they change nothing.
    const spoofed = await download(indexUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'attacker.example' });
    expect(spoofed.manifest.ui.csp['connect-src']).toEqual([new URL(indexUrl).origin]);
    expect(spoofed.javascript).not.toContain('attacker.example');
    expect(spoofed.index[0]!.sha256).toBe(direct.index[0]!.sha256);

    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('PUBLIC_URL');
  });

  it('takes a reverse proxy’s forwarded address under TRUST_PROXY', async () => {
    const { indexUrl } = await source({ publicUrl: null, trustProxy: true });
    const proxied = await download(indexUrl, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sense.example.org' });
    expect(proxied.manifest.ui.csp['connect-src']).toEqual(['https://sense.example.org']);
  });
});

describe('a broken plugin folder', () => {
  it('answers 503 with what to do when the bundle is missing, and serves once it is there', async () => {
    const dir = join(temp.path, 'plugin');
    mkdirSync(dir);
    copyFileSync(join(pluginDir, 'stash-sense.yml'), join(dir, 'stash-sense.yml'));
    copyFileSync(join(pluginDir, 'stash-sense.css'), join(dir, 'stash-sense.css'));
    const { indexUrl, logger } = await source({ pluginDir: dir });
    const missing = await fetch(indexUrl);
    expect(missing.status).toBe(503);
    expect(await missing.text()).toContain('plugin-bridge/build.ts');
    expect(logger.lines.some((line) => line.level === 'error' && line.message === 'plugin package unavailable')).toBe(true);

    writeFileSync(join(dir, 'stash-sense.js'), 'const url = "__STASH_SENSE_PUBLIC_URL__";\n');
    const fixed = await download(indexUrl);
    expect(fixed.javascript).toBe('const url = "https://sense.example.com:8443/sense";\n');
  });
});
