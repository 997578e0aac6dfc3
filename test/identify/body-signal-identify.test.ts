import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { ImageIdentification } from '../../src/identify/index.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { makeTempDir, readFaceManifest, type FacePhoto } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';

const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
const split = splitPeople();
// The held-back photos and the group photos: every identification the accuracy tests check.
const probes: FacePhoto[] = [...split.heldBack, ...readFaceManifest().filter((photo) => photo.file.startsWith('groups/'))];

/** Top name per face, in the order faces come back (detection does not depend on the body signal). */
async function identifyAll(app: App): Promise<Map<string, ImageIdentification>> {
  const results = new Map<string, ImageIdentification>();
  for (const photo of probes) results.set(photo.file, await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(photo.path) }));
  return results;
}

let withoutBody: Map<string, ImageIdentification>;
let withBody: Map<string, ImageIdentification>;

beforeAll(async () => {
  writeEnrolmentFolder(join(temp.path, 'people'), split.enrolled);
  // Enrolled with the signal on (the default), so performers whose photos show the body get a reference.
  const on = await openTestApp(dataDir);
  try {
    await on.app.services.enroll.enrollFolder(join(temp.path, 'people'));
    withBody = await identifyAll(on.app);
  } finally {
    await on.app.close();
  }
  const off = await openTestApp(dataDir, { ENABLE_BODY_SIGNAL: 'false' });
  try {
    withoutBody = await identifyAll(off.app);
  } finally {
    await off.app.close();
  }
});
afterAll(() => temp.remove());

describe('turning the body signal on', () => {
  it('has performers with body references to compare against', async () => {
    const { app } = await openTestApp(dataDir, { ENABLE_BODY_SIGNAL: 'false' });
    try {
      const ids = app.faces().listPerformers().map((p) => p.id);
      expect(app.faces().getBodyReferences(ids).size).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('changes no identification that is right without it', () => {
    let right = 0;
    for (const photo of probes) {
      const off = withoutBody.get(photo.file)!;
      const on = withBody.get(photo.file)!;
      expect(on.faces.map((face) => face.box), photo.file).toEqual(off.faces.map((face) => face.box));
      off.faces.forEach((face, i) => {
        const name = face.candidates[0]?.name;
        if (name === undefined ? false : photo.identities.includes(name)) {
          right += 1;
          expect(on.faces[i]!.candidates[0]?.name, `${photo.file} face ${i}`).toBe(name);
        }
        // Unknown stays unknown, matched stays matched: the signal only reorders and scales candidates.
        expect(on.faces[i]!.status).toBe(face.status);
      });
    }
    expect(right).toBeGreaterThanOrEqual(split.heldBack.length);
  });

  it('says per face what it did, and nothing when it is off', () => {
    for (const result of withBody.values()) for (const face of result.faces) expect(face.body).toBeDefined();
    for (const result of withoutBody.values()) for (const face of result.faces) expect(face.body).toBeUndefined();
    const unknown = withBody.get('groups/longoria-cooper.jpg')!.faces;
    for (const face of unknown) expect(face.body).toMatchObject({ used: false, reason: 'NO_CANDIDATES', changedBestMatch: false });
  });
});

describe('the body signal in the GraphQL result', () => {
  it('shows each face’s body effect and each candidate’s multiplier', async () => {
    const { app } = await openTestApp(dataDir);
    const server = await startTestServer(app);
    try {
      const photo = probes.find((p) => p.file === 'groups/rose-kit.jpg')!;
      const { data, errors } = await server.graphql<{
        identifyImage: { faces: { body: { used: boolean; shoulderHipRatio: number | null; reason: string | null; changedBestMatch: boolean }; candidates: { name: string; bodyMultiplier: number | null }[] }[] };
      }>(
        `mutation($base64: String) { identifyImage(base64: $base64) { faces { body { used shoulderHipRatio reason changedBestMatch } candidates { name bodyMultiplier } } } }`,
        { base64: readFileSync(photo.path).toString('base64') },
      );
      expect(errors).toBeUndefined();
      const faces = data!.identifyImage.faces;
      expect(faces.length).toBeGreaterThanOrEqual(2);
      for (const face of faces) {
        expect(face.body.changedBestMatch).toBe(false);
        expect(face.body.used || face.body.reason !== null).toBe(true);
        for (const candidate of face.candidates) expect(candidate.bodyMultiplier).toEqual(face.body.used ? expect.any(Number) : 1);
      }
    } finally {
      await server.close();
      await app.close();
    }
  });
});
