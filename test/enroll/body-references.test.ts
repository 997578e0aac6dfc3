import { mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBodySignal, medianRatio, openMoveNet, type BodySignal } from '../../src/pose/index.js';
import { pickPrimaryFace } from '../../src/vision/index.js';
import { openTestApp } from '../helpers/app.js';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';

const temp = makeTempDir();
const people = join(temp.path, 'people');
const fullBody = join(facesDir, 'people/obama/03.jpg');
let body: BodySignal;
/** The obama photos that show the body: the full-body photo, smaller, mirrored and slightly cropped. */
let bodyPhotos: string[];

beforeAll(async () => {
  mkdirSync(join(people, 'obama'), { recursive: true });
  mkdirSync(join(people, 'biden'), { recursive: true });
  const { width = 0, height = 0 } = await sharp(fullBody).metadata();
  bodyPhotos = [join(people, 'obama/full.jpg'), join(people, 'obama/small.jpg'), join(people, 'obama/mirrored.jpg'), join(people, 'obama/cropped.jpg')];
  symlinkSync(fullBody, bodyPhotos[0]!);
  writeFileSync(bodyPhotos[1]!, await sharp(fullBody).resize(Math.round(width * 0.6)).jpeg().toBuffer());
  writeFileSync(bodyPhotos[2]!, await sharp(fullBody).flop().jpeg().toBuffer());
  writeFileSync(bodyPhotos[3]!, await sharp(fullBody).extract({ left: 0, top: 0, width, height: Math.round(height * 0.9) }).jpeg().toBuffer());
  // Photos whose framing ends above the hips: enrolled as faces, no body ratio.
  symlinkSync(join(facesDir, 'people/obama/01.jpg'), join(people, 'obama/portrait.jpg'));
  symlinkSync(join(facesDir, 'people/biden/02.jpg'), join(people, 'biden/portrait.jpg'));
  body = createBodySignal(await openMoveNet());
});
afterAll(() => {
  body?.close();
  temp.remove();
});

/** Each photo measured on its own, with the same model, crop and face choice as enrolment. */
async function measureEach(app: Awaited<ReturnType<typeof openTestApp>>['app'], files: string[]): Promise<number[]> {
  const ratios: number[] = [];
  for (const file of files) {
    const image = await app.vision.decodeImage(readFileSync(file));
    const face = pickPrimaryFace((await app.vision.detectFaces(image)).filter((f) => f.score >= 0.8));
    const measured = await body.measure(image, face!.box);
    if (measured.kind === 'measured') ratios.push(measured.shoulderHipRatio);
  }
  return ratios;
}

function performerId(app: Awaited<ReturnType<typeof openTestApp>>['app'], name: string): string {
  return app.faces().listPerformers().find((p) => p.name === name)!.id;
}

describe('body references at enrolment', () => {
  it('are the median of the ratios of the performer’s photos that show the body', async () => {
    const { app } = await openTestApp(join(temp.path, 'enrolled-with-body'));
    try {
      const summary = await app.services.enroll.enrollFolder(people);
      expect(summary.facesAdded).toBe(6);
      const ratios = await measureEach(app, bodyPhotos);
      expect(ratios.length).toBeGreaterThanOrEqual(3);
      expect(new Set(ratios.map((r) => r.toFixed(4))).size).toBeGreaterThan(1);
      const references = app.faces().getBodyReferences([performerId(app, 'obama'), performerId(app, 'biden')]);
      expect(references.get(performerId(app, 'obama'))).toEqual({ shoulderHipRatio: medianRatio(ratios), photoCount: ratios.length });
      expect(references.has(performerId(app, 'biden'))).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('are rebuilt for a database enrolled without the body signal, from the photos still readable', async () => {
    const dataDir = join(temp.path, 'enrolled-without-body');
    const off = await openTestApp(dataDir, { ENABLE_BODY_SIGNAL: 'false' });
    try {
      await off.app.services.enroll.enrollFolder(people);
      expect(off.app.faces().getBodyReferences([performerId(off.app, 'obama')]).size).toBe(0);
      await expect(off.app.services.enroll.rebuildBodyReferences()).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/ENABLE_BODY_SIGNAL/) });
    } finally {
      await off.app.close();
    }
    unlinkSync(bodyPhotos[2]!);
    const { app } = await openTestApp(dataDir);
    try {
      const summary = await app.services.enroll.rebuildBodyReferences();
      expect(summary).toMatchObject({ faces: 6, photosRead: 5, performers: 2, performersWithReference: 1 });
      expect(summary.unreadable).toEqual([{ reason: expect.stringMatching(/could not be read \(ENOENT\)/), count: 1 }]);
      const ratios = await measureEach(app, [bodyPhotos[0]!, bodyPhotos[1]!, bodyPhotos[3]!]);
      expect(summary.measured).toBe(ratios.length);
      expect(app.faces().getBodyReferences([performerId(app, 'obama')]).get(performerId(app, 'obama'))).toEqual({
        shoulderHipRatio: medianRatio(ratios),
        photoCount: ratios.length,
      });
    } finally {
      await app.close();
    }
  });
});
