import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SenseError, errorMessage } from '../errors.js';

/** The manifest shipped with the package (`models/manifest.json`), from src/ and from dist/ alike. */
export const PACKAGED_MANIFEST_PATH = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

export type ModelSource =
  | { kind: 'npm'; package: string; version: string; path: string }
  | { kind: 'url'; url: string }
  /** A file inside a published archive (InsightFace model packs); the archive has its own sha256 and size. */
  | { kind: 'zip'; url: string; sha256: string; size?: number; path: string };

export interface ModelFile {
  name: string;
  /** What the file is for inside its profile (`detector`, `landmarks`, `embedder`, …); unique per profile. */
  role: string;
  sha256: string;
  size?: number;
  source: ModelSource;
}

export interface ModelProfile {
  description?: string;
  embeddingModels: string[];
  files: ModelFile[];
}

export interface ModelManifest {
  profiles: Record<string, ModelProfile>;
}

/** Reads and checks `models/manifest.json`; a malformed manifest is a packaging bug, reported as such. */
export async function loadModelManifest(path: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new SenseError('MODEL_MISSING', `The model manifest ${path} cannot be read: ${errorMessage(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error: unknown) {
    throw new SenseError('INTERNAL', `The model manifest ${path} is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  return parseManifest(json, path);
}

export function parseManifest(json: unknown, origin: string): ModelManifest {
  const fail = (what: string): never => {
    throw new SenseError('INTERNAL', `The model manifest ${origin} is malformed: ${what}`);
  };
  if (!isRecord(json) || !isRecord(json.profiles)) return fail('it has no "profiles" object');
  const profiles: Record<string, ModelProfile> = {};
  for (const [name, value] of Object.entries(json.profiles)) {
    if (!isRecord(value)) return fail(`profile "${name}" is not an object`);
    const { embeddingModels, files, description } = value;
    if (!Array.isArray(embeddingModels) || !embeddingModels.every((model) => typeof model === 'string')) {
      return fail(`profile "${name}" needs "embeddingModels" as a list of names`);
    }
    if (!Array.isArray(files) || files.length === 0) return fail(`profile "${name}" lists no files`);
    const parsed = files.map((file, index) => parseFile(file, `profile "${name}" file ${index + 1}`, fail));
    const roles = new Set(parsed.map((file) => file.role));
    if (roles.size !== parsed.length) return fail(`profile "${name}" has two files with the same role`);
    profiles[name] = {
      ...(typeof description === 'string' ? { description } : {}),
      embeddingModels: embeddingModels as string[],
      files: parsed,
    };
  }
  return { profiles };
}

function parseFile(value: unknown, where: string, fail: (what: string) => never): ModelFile {
  if (!isRecord(value)) return fail(`${where} is not an object`);
  const { name, role, sha256, size, source } = value;
  if (typeof name !== 'string' || name.length === 0 || /[\\/]/.test(name) || name.startsWith('.')) return fail(`${where} has no valid "name"`);
  if (typeof role !== 'string' || role.length === 0) return fail(`${where} (${name}) has no "role"`);
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return fail(`${where} (${name}) has no lowercase hex "sha256"`);
  if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 0)) return fail(`${where} (${name}) has a bad "size"`);
  return { name, role, sha256, ...(size !== undefined ? { size } : {}), source: parseSource(source, `${where} (${name})`, fail) };
}

function parseSource(value: unknown, where: string, fail: (what: string) => never): ModelSource {
  if (!isRecord(value)) return fail(`${where} has no "source"`);
  if (value.kind === 'npm') {
    const { package: pkg, version, path } = value;
    if (typeof pkg !== 'string' || typeof version !== 'string' || typeof path !== 'string') return fail(`${where} npm source needs package, version and path`);
    return { kind: 'npm', package: pkg, version, path };
  }
  if (value.kind === 'url') {
    if (typeof value.url !== 'string') return fail(`${where} url source needs "url"`);
    return { kind: 'url', url: value.url };
  }
  if (value.kind === 'zip') {
    const { url, sha256, size, path } = value;
    if (typeof url !== 'string' || typeof path !== 'string') return fail(`${where} zip source needs "url" and "path"`);
    // Every byte installed is checked: the archive before it is opened, the file after it is extracted.
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return fail(`${where} zip source has no lowercase hex "sha256"`);
    if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 0)) return fail(`${where} zip source has a bad "size"`);
    return { kind: 'zip', url, sha256, ...(size !== undefined ? { size } : {}), path };
  }
  return fail(`${where} has an unknown source kind ${JSON.stringify(value.kind)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
