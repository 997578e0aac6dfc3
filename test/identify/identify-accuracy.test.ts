import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { ImageIdentification } from '../../src/identify/index.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { facesDir, makeTempDir, readFaceManifest } from '../helpers/fixtures.js';

const split = splitPeople();
const temp = makeTempDir();
let app: App;

beforeAll(async () => {
  writeEnrolmentFolder(join(temp.path, 'people'), split.enrolled);
  ({ app } = await openTestApp(join(temp.path, 'data')));
  const summary = await app.services.enroll.enrollFolder(join(temp.path, 'people'));
  expect(summary.skipped).toEqual([]);
});
afterAll(async () => {
  await app?.close();
  temp.remove();
});

async function identify(bytes: Uint8Array): Promise<ImageIdentification> {
  return app.services.identify.identifyImage({ kind: 'bytes', bytes });
}
const topName = (result: ImageIdentification, face = 0) => result.faces[face]?.candidates[0]?.name;
/** The photo's subject: the largest face among the confident ones (a background face may score lower). */
const primaryFace = (result: ImageIdentification) => {
  const best = Math.max(...result.faces.map((face) => face.score));
  return result.faces.filter((face) => face.score >= best - 0.02).sort((a, b) => b.box.height - a.box.height)[0];
};

describe('identification with the embedded models', () => {
  it.each(split.heldBack.map((photo) => [photo.file, photo.identities[0]]))('identifies held-back %s as %s at rank 1', async (file, identity) => {
    const result = await identify(readFileSync(join(facesDir, file!)));
    expect(result.faces.filter((face) => face.score >= 0.95)).toHaveLength(1);
    expect(primaryFace(result)?.candidates[0]?.name).toBe(identity);
  });

  it('never gives a single-photo identity as anyone else’s best match', async () => {
    for (const photo of split.heldBack) {
      const result = await identify(readFileSync(photo.path));
      const names = result.faces.flatMap((face) => face.candidates.map((candidate) => candidate.name));
      for (const single of split.singles) expect(names, photo.file).not.toContain(single);
    }
  });

  const groups = readFaceManifest().filter((photo) => photo.file.startsWith('groups/'));
  it.each(groups.map((group) => [group.file, group.faces]))('detects every face counted in %s (%i)', async (file, count) => {
    const result = await identify(readFileSync(join(facesDir, file as string)));
    expect(result.faces.length).toBeGreaterThanOrEqual(count as number);
  });

  it.each([['groups/obama-biden-1.jpg'], ['groups/obama-biden-2.jpg'], ['groups/rose-kit.jpg']])('identifies both people in %s', async (file) => {
    const expected = groups.find((group) => group.file === file)!.identities;
    const result = await identify(readFileSync(join(facesDir, file)));
    const found = result.faces.map((_, i) => topName(result, i)).filter(Boolean);
    expect(found.sort()).toEqual([...expected].sort());
  });

  it('reports both strangers in longoria-cooper as unknown', async () => {
    const result = await identify(readFileSync(join(facesDir, 'groups/longoria-cooper.jpg')));
    expect(result.faces.length).toBeGreaterThanOrEqual(2);
    for (const face of result.faces) {
      expect(face.status).toBe('UNKNOWN');
      expect(face.candidates).toEqual([]);
    }
  });

  it('finds and identifies the same face pasted about 60 px tall into a 1920×1080 frame', async () => {
    const source = join(facesDir, 'people/biden/02.jpg');
    const original = await identify(readFileSync(source));
    const box = original.faces[0]!.box;
    // Scale the photo so the detected face box is about 60 px tall, then paste it into an empty HD frame.
    const scale = 60 / box.height;
    const meta = await sharp(source).metadata();
    const small = await sharp(source)
      .resize(Math.round(meta.width! * scale), Math.round(meta.height! * scale))
      .toBuffer();
    const frame = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: 90, g: 100, b: 110 } } })
      .composite([{ input: small, left: 1400, top: 700 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const result = await identify(frame);
    expect(result.faces).toHaveLength(1);
    expect(result.faces[0]!.box.height).toBeLessThan(90);
    expect(result.faces[0]!.box.x).toBeGreaterThan(1350);
    expect(topName(result)).toBe('biden');
  });

  it('gives an EXIF-rotated copy the same identity', async () => {
    const source = join(facesDir, 'people/kit_harington/03.jpg');
    // Store the pixels turned 90° and an EXIF tag saying "rotate back": viewers (and we) show it upright.
    const rotated = await sharp(source).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    const result = await identify(rotated);
    expect(result.faces).toHaveLength(1);
    expect(topName(result)).toBe('kit_harington');
  });

  it('identifies the RGBA PNG', async () => {
    const path = join(facesDir, 'people/obama/05-rgba.png');
    expect((await sharp(path).metadata()).channels).toBe(4);
    expect(split.enrolled.map((photo) => photo.path)).not.toContain(path);
    const result = await identify(readFileSync(path));
    expect(topName(result)).toBe('obama');
  });
});
