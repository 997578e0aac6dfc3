import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openTestApp } from './app.js';
import { readFaceManifest, type FacePhoto } from './fixtures.js';

export interface EnrolmentSplit {
  enrolled: FacePhoto[];
  heldBack: FacePhoto[];
  /** Identities with a single photo: enrolled whole, they serve as distractors. */
  singles: string[];
}

/**
 * One photo per identity held back (its last one, plus every `obama/06-*` resolution variant and the RGBA
 * PNG, so those are matched against other photos rather than against themselves).
 */
export function splitPeople(): EnrolmentSplit {
  const people = readFaceManifest().filter((photo) => photo.file.startsWith('people/'));
  const byIdentity = new Map<string, FacePhoto[]>();
  for (const photo of people) byIdentity.set(photo.identities[0]!, [...(byIdentity.get(photo.identities[0]!) ?? []), photo]);
  const enrolled: FacePhoto[] = [];
  const heldBack: FacePhoto[] = [];
  const singles: string[] = [];
  for (const [identity, photos] of byIdentity) {
    if (photos.length === 1) {
      singles.push(identity);
      enrolled.push(...photos);
      continue;
    }
    const variants = photos.filter((photo) => photo.file.includes('/06-') || photo.file.endsWith('-rgba.png'));
    const rest = photos.filter((photo) => !variants.includes(photo));
    heldBack.push(...variants, rest.at(-1)!);
    enrolled.push(...rest.slice(0, -1));
  }
  return { enrolled, heldBack, singles };
}

/** Lays photos out as `enroll` expects: one folder per identity, with links to the shared files. */
export function writeEnrolmentFolder(dir: string, photos: FacePhoto[], stashIds: Record<string, string> = {}, endpoint = 'https://stashdb.org/graphql'): void {
  for (const photo of photos) {
    const identity = photo.identities[0]!;
    const folder = join(dir, identity);
    mkdirSync(folder, { recursive: true });
    symlinkSync(photo.path, join(folder, basename(photo.file)));
    const stashId = stashIds[identity];
    if (stashId) {
      writeFileSync(
        join(folder, 'performer.json'),
        JSON.stringify({ name: identity, aliases: [identity.replace(/_/g, ' ')], stash_ids: [{ endpoint, stash_id: stashId }] }),
      );
    }
  }
}

/**
 * A data dir whose face database holds every enrolled photo of `splitPeople()`, built through the real
 * enrolment service, for tests that then run the CLI or the service in a child process.
 */
export async function prepareEnrolledDataDir(workDir: string, dataDir: string, stashIds: Record<string, string> = {}): Promise<void> {
  writeEnrolmentFolder(join(workDir, 'people'), splitPeople().enrolled, stashIds);
  const { app } = await openTestApp(dataDir);
  try {
    await app.services.enroll.enrollFolder(join(workDir, 'people'));
  } finally {
    await app.close();
  }
}
