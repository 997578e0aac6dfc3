import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { facesDir, makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { facePhoto, type StashDouble } from '../stash-double/index.js';

const stashdb = 'https://stashdb.org/graphql';
const temp = makeTempDir();
let app: App;
let double: StashDouble;
let server: StashSidecar['server'];
let sidecar: StashSidecar;

const enrollMutation = `mutation { enrollFromStash { performers facesAdded performersAdded alreadyEnrolled skipped { performerId name reason } databaseVersion } }`;

beforeAll(async () => {
  const noFace = await sharp({ create: { width: 400, height: 600, channels: 3, background: { r: 200, g: 180, b: 160 } } }).jpeg().toBuffer();
  sidecar = await startStashSidecar(temp.path, {
    enroll: false,
    stash: {
    performers: [
      { id: '1', name: 'Barack Obama', aliases: ['Barry'], stashIds: [{ endpoint: stashdb, stashId: 'obama-uuid' }], image: { file: facePhoto('people/obama/01.jpg') } },
      { id: '2', name: 'Joe Biden', stashIds: [{ endpoint: stashdb, stashId: 'biden-uuid' }], image: { file: facePhoto('people/biden/01.jpg') } },
      { id: '3', name: 'Kit Harington', image: { file: facePhoto('people/kit_harington/01.jpg') } },
      { id: '4', name: 'Faceless', image: noFace },
      { id: '5', name: 'No Picture' },
    ],
    },
  });
  ({ app, double, server } = sidecar);
});
afterAll(async () => {
  await sidecar?.close();
  temp.remove();
});

describe('enrollFromStash', () => {
  it('enrols each performer image with its stash-box IDs and reports the ones without a face', async () => {
    const { data, errors } = await server.graphql<{ enrollFromStash: { performers: number; facesAdded: number; skipped: { performerId: string; reason: string }[] } }>(enrollMutation);
    expect(errors).toBeUndefined();
    expect(data!.enrollFromStash).toMatchObject({ performers: 5, facesAdded: 3 });
    expect(data!.enrollFromStash.skipped.map((skip) => skip.performerId).sort()).toEqual(['4', '5']);
    expect(data!.enrollFromStash.skipped.find((skip) => skip.performerId === '4')!.reason).toMatch(/no confident face/);

    const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(join(facesDir, 'people/obama/02.jpg')) });
    expect(result.faces[0]!.candidates[0]).toMatchObject({ name: 'Barack Obama', aliases: ['Barry'], stashIds: [{ endpoint: stashdb, stashId: 'obama-uuid' }] });
  });

  it('adds nothing twice when run again', async () => {
    const { data } = await server.graphql<{ enrollFromStash: { facesAdded: number; alreadyEnrolled: number } }>(enrollMutation);
    expect(data!.enrollFromStash).toMatchObject({ facesAdded: 0, alreadyEnrolled: 3 });
    expect(app.faces().info().faceCount).toBe(3);
  });

  it('rebuilds body references from the Stash performer images it enrolled', async () => {
    const summary = await app.services.enroll.rebuildBodyReferences();
    expect(summary).toMatchObject({ faces: 3, photosRead: 3, unreadable: [], performers: 3 });
  });

  it('answers STASH_UNAVAILABLE when Stash is down, writing nothing', async () => {
    const before = app.faces().info().version;
    double.setMode('down');
    try {
      const { errors } = await server.graphql(enrollMutation);
      expect(errors?.[0]?.extensions?.code).toBe('STASH_UNAVAILABLE');
    } finally {
      double.setMode('up');
    }
    expect(app.faces().info().version).toBe(before);
  });
});
