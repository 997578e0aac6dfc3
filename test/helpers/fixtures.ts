import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The shared fixtures beside the checkout (never copied into the repository). */
export const sharedDir = resolve(process.cwd(), '../shared');
export const facesDir = join(sharedDir, 'faces');
export const repoRoot = process.cwd();

export interface FacePhoto {
  file: string;
  path: string;
  identities: string[];
  faces: number;
}

export function readFaceManifest(): FacePhoto[] {
  const [, ...lines] = readFileSync(join(facesDir, 'manifest.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [file = '', identities = '', faces = '0'] = line.split(',');
    return { file, path: join(facesDir, file), identities: identities.split(';'), faces: Number(faces) };
  });
}

export function makeTempDir(prefix = 'stash-sense-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
