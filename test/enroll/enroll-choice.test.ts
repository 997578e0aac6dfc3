import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import type { EnrollSummary } from '../../src/enroll/index.js';
import { openTestApp } from '../helpers/app.js';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';

// Obama's folder holds three portraits, two photos of him with Biden, and one of Kit Harington filed there by
// mistake. The group photos must contribute Obama's face, and the stray photo nothing.
const temp = makeTempDir();
let app: App;
let summary: EnrollSummary;
const groupPhotos = ['groups/obama-biden-1.jpg', 'groups/obama-biden-2.jpg'];
const stray = 'people/kit_harington/01.jpg';

const linkName = (photo: string) => photo.replaceAll('/', '_');

function link(folder: string, photos: readonly string[]): void {
  mkdirSync(folder, { recursive: true });
  for (const photo of photos) symlinkSync(join(facesDir, photo), join(folder, linkName(photo)));
}

beforeAll(async () => {
  link(join(temp.path, 'people', 'obama'), ['people/obama/01.jpg', 'people/obama/02.jpg', 'people/obama/03.jpg', ...groupPhotos, stray]);
  ({ app } = await openTestApp(join(temp.path, 'data')));
  summary = await app.services.enroll.enrollFolder(join(temp.path, 'people'));
});
afterAll(async () => {
  await app?.close();
  temp.remove();
});

describe('enrolment from all of a performer’s photos', () => {
  it('skips a photo that agrees with none of the others, with the reason', () => {
    expect(summary.skipped).toEqual([{ file: join(temp.path, 'people', 'obama', linkName(stray)), reason: expect.stringMatching(/agrees with the performer's 5 other photos/) }]);
    expect(summary.facesAdded).toBe(5);
  });

  it.each(groupPhotos)('takes Obama’s face from %s, not Biden’s', async (photo) => {
    // The enrolled face of this very photo matches itself at distance ~0: it must be the face named Obama there,
    // and the other face must not come back as Obama.
    const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(join(facesDir, photo)) });
    const named = result.faces.filter((face) => face.candidates[0]?.name === 'obama');
    expect(named).toHaveLength(1);
    expect(named[0]!.candidates[0]!.distance).toBeLessThan(0.01);
    expect(result.faces.length).toBeGreaterThanOrEqual(2);
  });
});
