// The Stash plugin as Stash's package manager installs it: plugin-bridge's manifest, bundle and CSS with the
// sidecar's public address filled in, zipped, and the index.yml entry that names the zip and its sha256.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SenseError } from '../errors.js';
import { createZip } from './zip.js';

/** Stash takes a plugin's id from its yml's file name. */
export const PLUGIN_ID = 'stash-sense';
export const PLUGIN_ZIP = `${PLUGIN_ID}.zip`;

/** Stand-ins in plugin-bridge's files that the sidecar replaces when it serves them. */
export const PLACEHOLDERS = {
  version: '__STASH_SENSE_VERSION__',
  publicOrigin: '__STASH_SENSE_PUBLIC_ORIGIN__',
  publicUrl: '__STASH_SENSE_PUBLIC_URL__',
} as const;

export interface PluginSourceFiles {
  manifest: string;
  javascript: string;
  css: string;
  /** The newest of the three files' times: the package's date, so Stash offers an upgrade when they change. */
  modified: Date;
}

export interface PluginPackage {
  version: string;
  date: Date;
  /** Where the browser reaches the sidecar (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  /** Its origin: what the manifest adds to Stash's connect-src. */
  publicOrigin: string;
  manifest: string;
  javascript: string;
  css: string;
  zip: Buffer;
  sha256: string;
}

export async function loadPluginFiles(pluginDir: string): Promise<PluginSourceFiles> {
  const names = { manifest: `${PLUGIN_ID}.yml`, javascript: `${PLUGIN_ID}.js`, css: `${PLUGIN_ID}.css` };
  try {
    const [manifest, javascript, css] = await Promise.all(Object.values(names).map((name) => readFile(join(pluginDir, name), 'utf8')));
    const times = await Promise.all(Object.values(names).map(async (name) => (await stat(join(pluginDir, name))).mtimeMs));
    return { manifest: manifest!, javascript: javascript!, css: css!, modified: new Date(Math.floor(Math.max(...times) / 1000) * 1000) };
  } catch (error: unknown) {
    throw new SenseError('INTERNAL', `The Stash plugin's files are missing from ${pluginDir} (build the bundle with \`npx tsx plugin-bridge/build.ts\`)`, { cause: error });
  }
}

export function buildPluginPackage(files: PluginSourceFiles, options: { publicUrl: string; version: string }): PluginPackage {
  const url = new URL(options.publicUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SenseError('BAD_INPUT', `The plugin's sidecar address ${url.protocol} is not http(s)`);
  const publicUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const values: Record<keyof typeof PLACEHOLDERS, string> = { version: options.version, publicOrigin: url.origin, publicUrl };

  // Every placeholder in the manifest sits inside a double-quoted YAML scalar, and a JSON string body is a
  // valid body for one.
  let manifest = files.manifest;
  for (const key of Object.keys(PLACEHOLDERS) as (keyof typeof PLACEHOLDERS)[]) {
    manifest = manifest.replaceAll(PLACEHOLDERS[key], JSON.stringify(values[key]).slice(1, -1));
  }
  const quotedUrl = JSON.stringify(PLACEHOLDERS.publicUrl);
  if (!files.javascript.includes(quotedUrl)) throw new SenseError('INTERNAL', `The plugin bundle has no ${quotedUrl} to fill in; rebuild it`);
  const javascript = files.javascript.replaceAll(quotedUrl, JSON.stringify(publicUrl));
  if (manifest.includes('__STASH_SENSE_') || javascript.includes('__STASH_SENSE_')) {
    throw new SenseError('INTERNAL', 'The plugin files hold a placeholder the sidecar does not know; rebuild the bundle');
  }

  const zip = createZip(
    [
      { name: `${PLUGIN_ID}.yml`, data: Buffer.from(manifest) },
      { name: `${PLUGIN_ID}.js`, data: Buffer.from(javascript) },
      { name: `${PLUGIN_ID}.css`, data: Buffer.from(files.css) },
    ],
    files.modified,
  );
  return {
    version: options.version,
    date: files.modified,
    publicUrl,
    publicOrigin: url.origin,
    manifest,
    javascript,
    css: files.css,
    zip,
    sha256: createHash('sha256').update(zip).digest('hex'),
  };
}

/** Stash's package list: a YAML list of packages (pkg.RemotePackage); `path` is relative to this file's URL. */
export function renderPackageIndex(pkg: PluginPackage): string {
  const name = topLevelScalar(pkg.manifest, 'name') ?? 'Stash Sense';
  const description = topLevelScalar(pkg.manifest, 'description') ?? '';
  const quote = (value: string) => JSON.stringify(value);
  return [
    `# Stash plugin source served by Stash Sense ${pkg.version} for ${pkg.publicUrl}`,
    `- id: ${PLUGIN_ID}`,
    `  name: ${quote(name)}`,
    `  version: ${quote(pkg.version)}`,
    `  date: ${quote(formatPackageDate(pkg.date))}`,
    `  path: ${PLUGIN_ZIP}`,
    `  sha256: ${pkg.sha256}`,
    '  metadata:',
    `    description: ${quote(description)}`,
    '',
  ].join('\n');
}

/** Stash's package time format (Go layout `2006-01-02 15:04:05`, UTC). */
export function formatPackageDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function topLevelScalar(yaml: string, key: string): string | undefined {
  const match = new RegExp(`^${key}:[ \\t]*(.+?)[ \\t]*$`, 'm').exec(yaml);
  const raw = match?.[1];
  if (raw === undefined) return undefined;
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  return raw.startsWith("'") ? raw.slice(1, -1).replaceAll("''", "'") : raw;
}
