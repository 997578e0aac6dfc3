import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { errorMessage, isSenseError } from '../errors.js';
import type { HttpRoute } from '../graphql/index.js';
import type { Logger } from '../logger.js';
import { buildPluginPackage, loadPluginFiles, PLUGIN_ZIP, renderPackageIndex, type PluginPackage, type PluginSourceFiles } from './package.js';

export const PLUGIN_INDEX_PATH = '/plugin/index.yml';
export const PLUGIN_ZIP_PATH = `/plugin/${PLUGIN_ZIP}`;

export interface PluginRoutesOptions {
  /** PUBLIC_URL: where browsers reach this sidecar. null: taken from each request's Host (and logged once). */
  publicUrl: string | null;
  /** TRUST_PROXY: take the address from X-Forwarded-Host/-Proto (set only behind a proxy that sets them). */
  trustProxy?: boolean;
  /** The plugin's version in Stash: the sidecar's own, so the two always come from one build. */
  version: string;
  logger: Logger;
  /** The folder holding stash-sense.{yml,js,css}; default the repository's plugin-bridge/. */
  pluginDir?: string;
}

/**
 * `GET /plugin/index.yml` and the zip it names: a Stash plugin source. The user adds the index's URL under
 * Settings → Plugins → Available Plugins, and Stash's server (not the browser) downloads both. The files are
 * read on first use and each address's package is built once, so the sha256 in the index always matches the
 * zip fetched after it. Both answer HEAD too (Stash checks a cached index with HEAD).
 */
export function createPluginRoutes(options: PluginRoutesOptions): HttpRoute[] {
  const pluginDir = options.pluginDir ?? fileURLToPath(new URL('../../plugin-bridge/', import.meta.url));
  const log = options.logger;
  let files: Promise<PluginSourceFiles> | undefined;
  const packages = new Map<string, PluginPackage>();
  let warnedNoPublicUrl = false;

  const packageFor = async (request: IncomingMessage): Promise<PluginPackage> => {
    let publicUrl = options.publicUrl;
    if (!publicUrl) {
      publicUrl = requestOrigin(request, options.trustProxy ?? false);
      if (!warnedNoPublicUrl) {
        warnedNoPublicUrl = true;
        log.warn('PUBLIC_URL is not set: the Stash plugin allows the address Stash used to fetch it; set PUBLIC_URL if browsers use another', { address: publicUrl });
      }
    }
    const cached = packages.get(publicUrl);
    if (cached) return cached;
    files ??= loadPluginFiles(pluginDir);
    // A failed read is retried on the next request instead of being remembered.
    const loaded = await files.catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    const built = buildPluginPackage(loaded, { publicUrl, version: options.version });
    // One entry per address seen; a sidecar is reached under very few.
    if (packages.size >= 16) packages.clear();
    packages.set(publicUrl, built);
    log.info('plugin package built', { publicUrl: built.publicUrl, bytes: built.zip.length, sha256: built.sha256 });
    return built;
  };

  const serve = (produce: (pkg: PluginPackage) => { body: Buffer; type: string }) => async (request: IncomingMessage, response: ServerResponse) => {
    let pkg: PluginPackage;
    try {
      pkg = await packageFor(request);
    } catch (error: unknown) {
      log.error('plugin package unavailable', { error: errorMessage(error) });
      const message = isSenseError(error) ? error.message : 'The Stash plugin could not be built';
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      response.end(`${message}\n`);
      return;
    }
    const { body, type } = produce(pkg);
    // Node leaves the body out of a HEAD answer by itself; the headers stay those of the GET.
    response.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      // The files depend on the address asked for, so no shared cache may keep them.
      'cache-control': 'no-store',
      etag: `"${pkg.sha256}"`,
    });
    response.end(body);
  };

  return [
    { method: 'GET', path: PLUGIN_INDEX_PATH, handle: serve((pkg) => ({ body: Buffer.from(renderPackageIndex(pkg)), type: 'application/yaml; charset=utf-8' })) },
    { method: 'GET', path: PLUGIN_ZIP_PATH, handle: serve((pkg) => ({ body: pkg.zip, type: 'application/zip' })) },
  ];
}

/**
 * The address the request was sent to, as its sender saw it. Forwarded headers are anyone's to send, so they
 * count only under TRUST_PROXY; otherwise an attacker's X-Forwarded-Host would become the plugin's sidecar.
 */
export function requestOrigin(request: IncomingMessage, trustProxy: boolean): string {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
  const forwarded = (name: string) => (trustProxy ? first(request.headers[name]) : undefined);
  const host = forwarded('x-forwarded-host') ?? request.headers.host ?? 'localhost';
  const proto = forwarded('x-forwarded-proto') ?? ((request.socket as TLSSocket).encrypted ? 'https' : 'http');
  try {
    return new URL(`${proto === 'https' ? 'https' : 'http'}://${host}`).origin;
  } catch {
    return 'http://localhost';
  }
}
