import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { SenseError, errorMessage } from '../errors.js';
import type { ModelFile, ModelManifest } from './manifest.js';

/** Role → absolute path of the profile's model files, once every file is present and matches its sha256. */
export type ModelPaths = Record<string, string>;

/**
 * Checks every file of `profileName` in `modelsDir` (size, then sha256) and returns where each role lives.
 * A missing or different file stops start-up with MODEL_MISSING naming the file, the folder and the fix;
 * loading a wrong file would give wrong faces silently, which is worse than not starting.
 */
export async function verifyModelFiles(modelsDir: string, profileName: string, manifest: ModelManifest): Promise<ModelPaths> {
  const profile = manifest.profiles[profileName];
  if (!profile) {
    const known = Object.keys(manifest.profiles).join(', ');
    throw new SenseError('MODEL_MISSING', `Model profile "${profileName}" is not in the model manifest (known: ${known}).`);
  }
  const dir = resolve(modelsDir);
  const paths: ModelPaths = {};
  for (const file of profile.files) {
    const path = join(dir, file.name);
    const where = `Model file ${file.name} (profile "${profileName}", ${file.role})`;
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (error: unknown) {
      throw new SenseError('MODEL_MISSING', `${where} is missing from ${dir}. ${fixHint(profileName, file, dir)}`, { cause: error });
    }
    if (file.size !== undefined && size !== file.size) {
      throw new SenseError(
        'MODEL_MISSING',
        `${where} in ${dir} is ${size} bytes, not the expected ${file.size}: it is incomplete or a different file. ${fixHint(profileName, file, dir)}`,
      );
    }
    let digest: string;
    try {
      digest = await sha256File(path);
    } catch (error: unknown) {
      throw new SenseError('MODEL_MISSING', `${where} in ${dir} cannot be read: ${errorMessage(error)}. ${fixHint(profileName, file, dir)}`, { cause: error });
    }
    if (digest !== file.sha256) {
      throw new SenseError(
        'MODEL_MISSING',
        `${where} in ${dir} has sha256 ${digest}, not the expected ${file.sha256}: it is corrupt or a different file. ${fixHint(profileName, file, dir)}`,
      );
    }
    paths[file.role] = path;
  }
  return paths;
}

/** The profile's files that are absent or of the wrong size (no sha256: a quick look for status pages). */
export async function findMissingModelFiles(modelsDir: string, profileName: string, manifest: ModelManifest): Promise<string[]> {
  const profile = manifest.profiles[profileName];
  if (!profile) return [];
  const dir = resolve(modelsDir);
  const missing: string[] = [];
  for (const file of profile.files) {
    const info = await stat(join(dir, file.name)).catch(() => undefined);
    if (!info?.isFile() || (file.size !== undefined && info.size !== file.size)) missing.push(file.name);
  }
  return missing;
}

function fixHint(profileName: string, file: ModelFile, dir: string): string {
  if (file.source.kind !== 'npm') {
    return `Run \`stash-sense models fetch --profile ${profileName} --models-dir ${dir}\` to download it (resumable, sha256-checked), or bake it into the Docker image.`;
  }
  const profileArgument = profileName === 'embedded' ? '' : ` -- --profile ${profileName}`;
  return `Run \`npm run models:fetch${profileArgument}\` to install it (set MODELS_DIR if the models live elsewhere).`;
}

function sha256File(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}
