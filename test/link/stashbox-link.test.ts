import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, readFaceManifest } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import type { StashDouble } from '../stash-double/index.js';
import { createStashBoxDouble, type StashBoxDouble } from '../stashbox-double/index.js';

const temp = makeTempDir('stashbox-link-');
const photo = readFileSync(readFaceManifest()[0]!.path);
let box: StashBoxDouble;
let double: StashDouble;
let sidecar: StashSidecar;

interface LinkResult {
  performer: { id: string; name: string };
  outcome: string;
  addedToScene: boolean;
}

const create = `mutation($endpoint: String!, $stashId: String!, $sceneId: ID) {
  createPerformerFromStashBox(endpoint: $endpoint, stashId: $stashId, sceneId: $sceneId) { performer { id name } outcome addedToScene } }`;
const link = `mutation($performerId: ID!, $endpoint: String!, $stashId: String!, $sceneId: ID) {
  linkPerformerToStashBox(performerId: $performerId, endpoint: $endpoint, stashId: $stashId, sceneId: $sceneId) { performer { id name } outcome addedToScene } }`;

beforeAll(async () => {
  box = await createStashBoxDouble({
    performers: [
      {
        id: 'uuid-ada',
        name: 'Ada Lovelace',
        aliases: ['Countess Lovelace'],
        gender: 'FEMALE',
        birth_date: '1815-12-10',
        country: 'GB',
        hair_color: 'BRUNETTE',
        height: 165,
        band_size: 34,
        cup_size: 'B',
        waist_size: 24,
        hip_size: 35,
        urls: ['https://example.com/ada'],
        image: photo,
      },
      { id: 'uuid-grace', name: 'Grace Hopper' },
      { id: 'uuid-hedy', name: 'Hedy Lamarr', aliases: ['Hedwig Kiesler'] },
    ],
  });
  sidecar = await startStashSidecar(temp.path, {
    enroll: false,
    env: { STASHBOX_REQUESTS_PER_MINUTE: '6000' },
    stash: {
      stashBoxes: [{ endpoint: box.endpoint, api_key: box.apiKey, name: 'Box', max_requests_per_minute: 6000 }],
      performers: [
        { id: '1', name: 'Grace Hopper' },
        { id: '2', name: 'H. Lamarr', aliases: ['Hedy'], country: 'AT', fields: { hair_color: 'Black', details: 'Inventor' }, stashIds: [{ endpoint: 'https://stashdb.org/graphql', stashId: 'other-uuid' }] },
        { id: '3', name: 'Someone Else', stashIds: [{ endpoint: box.endpoint, stashId: 'uuid-taken' }] },
      ],
      scenes: [{ id: '10', title: 'Lecture', performerIds: ['1'] }],
    },
  });
  double = sidecar.double;
});

afterAll(async () => {
  await sidecar?.close();
  await box?.close();
  temp.remove();
});

describe('createPerformerFromStashBox', () => {
  it('creates one performer with the fields, image and stash_id, and adds it to the scene with ADD, however often it runs', async () => {
    const first = await sidecar.server.graphql<{ createPerformerFromStashBox: LinkResult }>(create, { endpoint: box.endpoint, stashId: 'uuid-ada', sceneId: '10' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createPerformerFromStashBox).toMatchObject({ performer: { name: 'Ada Lovelace' }, outcome: 'CREATED', addedToScene: true });
    const second = await sidecar.server.graphql<{ createPerformerFromStashBox: LinkResult }>(create, { endpoint: box.endpoint, stashId: 'uuid-ada', sceneId: '10' });
    expect(second.data!.createPerformerFromStashBox).toMatchObject({ performer: first.data!.createPerformerFromStashBox.performer, outcome: 'ALREADY_LINKED', addedToScene: false });

    const created = [...double.store.performers.values()].filter((p) => p.stash_ids.some((s) => s.stash_id === 'uuid-ada'));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      name: 'Ada Lovelace',
      alias_list: ['Countess Lovelace'],
      gender: 'FEMALE',
      birthdate: '1815-12-10',
      country: 'GB',
      hair_color: 'Brunette',
      height_cm: 165,
      measurements: '34B-24-35',
      urls: ['https://example.com/ada'],
      stash_ids: [expect.objectContaining({ endpoint: box.endpoint, stash_id: 'uuid-ada' })],
    });
    // Stash downloaded the stash-box image itself from the URL it was given.
    expect(Buffer.compare(created[0]!.image as Buffer, photo)).toBe(0);
    expect(double.mutations.filter((m) => m.field === 'performerCreate')).toHaveLength(1);
    expect(double.mutations.find((m) => m.field === 'performerCreate')!.args.input).toMatchObject({ image: `${box.endpoint.replace('/graphql', '')}/images/uuid-ada.jpg` });
    const sceneWrites = double.mutations.filter((m) => m.field === 'bulkSceneUpdate' || m.field === 'sceneUpdate');
    expect(sceneWrites.map((m) => [m.field, (m.args.input as { performer_ids: { mode: string; ids: string[] } }).performer_ids])).toEqual([
      ['bulkSceneUpdate', { mode: 'ADD', ids: [created[0]!.id] }],
    ]);
    expect(double.store.scenes.get('10')!.performerIds).toEqual(['1', created[0]!.id]);
  });

  it('refuses to create a duplicate of a local performer with exactly that name, and creates nothing', async () => {
    const before = double.mutations.length;
    const { errors } = await sidecar.server.graphql(create, { endpoint: box.endpoint, stashId: 'uuid-grace', sceneId: '10' });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(errors?.[0]?.message).toMatch(/Grace Hopper \(id 1\).*link/);
    expect(double.mutations.slice(before)).toEqual([]);
  });

  it('refuses an unknown scene or stash-box before changing anything', async () => {
    const before = double.mutations.length;
    expect((await sidecar.server.graphql(create, { endpoint: box.endpoint, stashId: 'uuid-hedy', sceneId: '999' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await sidecar.server.graphql(create, { endpoint: 'https://nowhere.example/graphql', stashId: 'uuid-hedy' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await sidecar.server.graphql(create, { endpoint: box.endpoint, stashId: 'no-such-uuid' })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(double.mutations.slice(before)).toEqual([]);
  });

  it('fails with STASHBOX_AUTH when the stash-box refuses its key', async () => {
    box.setMode('refuseKey');
    try {
      const { errors } = await sidecar.server.graphql(create, { endpoint: box.endpoint, stashId: 'uuid-hedy' });
      expect(errors?.[0]?.extensions?.code).toBe('STASHBOX_AUTH');
      expect(JSON.stringify(errors)).not.toContain(box.apiKey);
    } finally {
      box.setMode('up');
    }
  });
});

describe('linkPerformerToStashBox', () => {
  it('adds the stash_id without touching other fields, and adds the performer to the scene with ADD', async () => {
    const before = double.mutations.length;
    const { data, errors } = await sidecar.server.graphql<{ linkPerformerToStashBox: LinkResult }>(link, { performerId: '2', endpoint: box.endpoint, stashId: 'uuid-hedy', sceneId: '10' });
    expect(errors).toBeUndefined();
    expect(data!.linkPerformerToStashBox).toMatchObject({ performer: { id: '2' }, outcome: 'LINKED', addedToScene: true });
    const sent = double.mutations.slice(before);
    expect(sent.map((m) => m.field)).toEqual(['performerUpdate', 'bulkSceneUpdate']);
    expect(sent[0]!.args.input).toEqual({
      id: '2',
      stash_ids: [
        { endpoint: 'https://stashdb.org/graphql', stash_id: 'other-uuid' },
        { endpoint: box.endpoint, stash_id: 'uuid-hedy' },
      ],
    });
    expect((sent[1]!.args.input as { performer_ids: unknown }).performer_ids).toEqual({ mode: 'ADD', ids: ['2'] });
    expect(double.store.performers.get('2')).toMatchObject({ name: 'H. Lamarr', alias_list: ['Hedy'], country: 'AT', hair_color: 'Black', details: 'Inventor' });

    const again = await sidecar.server.graphql<{ linkPerformerToStashBox: LinkResult }>(link, { performerId: '2', endpoint: box.endpoint, stashId: 'uuid-hedy', sceneId: '10' });
    expect(again.data!.linkPerformerToStashBox).toMatchObject({ outcome: 'ALREADY_LINKED', addedToScene: false });
    expect(double.mutations.length).toBe(before + 2);
  });

  it('refuses a stash_id another performer already has', async () => {
    const { errors } = await sidecar.server.graphql(link, { performerId: '1', endpoint: box.endpoint, stashId: 'uuid-taken' });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(errors?.[0]?.message).toContain('Someone Else');
  });
});

describe('searchStashPerformers', () => {
  it('finds performers by part of a name or alias', async () => {
    const { data } = await sidecar.server.graphql<{ searchStashPerformers: { id: string; name: string }[] }>('query($q: String!) { searchStashPerformers(query: $q) { id name } }', { q: 'hedy' });
    expect(data!.searchStashPerformers.map((p) => p.id)).toEqual(['2']);
  });
});
