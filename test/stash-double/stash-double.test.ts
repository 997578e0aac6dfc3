import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStashDouble, type StashDouble } from './index.js';

const key = 'double-key';
const stream = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

let double: StashDouble;

beforeEach(async () => {
  double = await createStashDouble({
    apiKey: key,
    performers: [
      { id: '1', name: 'Ada' },
      { id: '2', name: 'Bob' },
    ],
    tags: [{ id: '1', name: 'Suggested' }],
    scenes: [
      { id: '1', title: 'One', performerIds: ['2'], files: [{ duration: 10, width: 1280, height: 720, oshash: 'aa11bb22cc33dd44' }], media: { stream, vtt: 'WEBVTT\n' } },
    ],
  });
});

afterEach(async () => {
  await double.close();
});

async function graphql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { ApiKey: key }) {
  const response = await fetch(`${double.url}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const json = response.headers.get('content-type')?.startsWith('application/json');
  const body = json ? ((await response.json()) as { data?: unknown; errors?: { message: string }[] }) : undefined;
  return { status: response.status, headers: response.headers, body };
}

const addPerformers = `mutation Add($ids: [ID!]!, $performerIds: [ID!]!, $mode: BulkUpdateIdMode!) {
  bulkSceneUpdate(input: { ids: $ids, performer_ids: { ids: $performerIds, mode: $mode } }) { id performers { id } }
}`;

describe("Stash double on Stash's schema", () => {
  it('rejects an operation real Stash would reject, with 422 and nothing applied', async () => {
    const invalid = await graphql('{ findScene(id: 1) { id count } }');
    expect(invalid.status).toBe(422);
    expect(invalid.body?.errors?.[0]?.message).toMatch(/Cannot query field "count" on type "Scene"/);

    const badEnum = await graphql('mutation { bulkSceneUpdate(input: { ids: ["1"], performer_ids: { ids: ["1"], mode: APPEND } }) { id } }');
    expect(badEnum.status).toBe(422);

    const badVariable = await graphql(addPerformers, { ids: ['1'], performerIds: ['1'], mode: 'APPEND' });
    expect(badVariable.status).toBe(422);

    const syntax = await graphql('{ findScene(id: 1) { id ');
    expect(syntax.status).toBe(422);

    expect(double.mutations).toEqual([]);
    expect(double.store.scenes.get('1')?.performerIds).toEqual(['2']);
  });

  it('records bulkSceneUpdate and applies ADD, REMOVE and SET to its state', async () => {
    const add = await graphql(addPerformers, { ids: ['1'], performerIds: ['1', '2'], mode: 'ADD' });
    expect(add.body).toEqual({ data: { bulkSceneUpdate: [{ id: '1', performers: [{ id: '2' }, { id: '1' }] }] } });
    await graphql(addPerformers, { ids: ['1'], performerIds: ['2'], mode: 'REMOVE' });
    expect(double.store.scenes.get('1')?.performerIds).toEqual(['1']);
    await graphql(addPerformers, { ids: ['1'], performerIds: ['2'], mode: 'SET' });
    expect(double.store.scenes.get('1')?.performerIds).toEqual(['2']);

    expect(double.mutations.map((m) => [m.field, m.operationName, (m.args.input as { performer_ids: { mode: string } }).performer_ids.mode])).toEqual([
      ['bulkSceneUpdate', 'Add', 'ADD'],
      ['bulkSceneUpdate', 'Add', 'REMOVE'],
      ['bulkSceneUpdate', 'Add', 'SET'],
    ]);
    expect(double.mutations[0]?.variables).toEqual({ ids: ['1'], performerIds: ['1', '2'], mode: 'ADD' });
  });

  it('records a mutation Stash refuses, with its error, and changes nothing', async () => {
    const result = await graphql(addPerformers, { ids: ['1'], performerIds: ['99'], mode: 'ADD' });
    expect(result.status).toBe(200);
    expect(result.body?.errors?.[0]?.message).toMatch(/performer with id 99 not found/);
    expect(double.mutations).toHaveLength(1);
    expect(double.mutations[0]?.error).toMatch(/not found/);
    expect(double.store.scenes.get('1')?.performerIds).toEqual(['2']);
  });

  it('says so when asked for something it does not implement, instead of answering null', async () => {
    const query = await graphql('{ findStudios { count } }');
    expect(query.body?.errors?.[0]?.message).toMatch(/does not implement Query.findStudios/);
    const filter = await graphql('{ findScenes(scene_filter: { interactive: true }) { count } }');
    expect(filter.body?.errors?.[0]?.message).toMatch(/does not implement SceneFilterType.interactive/);
    const sort = await graphql('{ findScenes(filter: { sort: "bogus" }) { count } }');
    expect(sort.body?.errors?.[0]?.message).toMatch(/invalid sort: bogus/);
  });

  it("reports paths as Stash does, with the key in the stream URL", async () => {
    const result = await graphql('{ findScene(id: 1) { paths { stream sprite vtt screenshot } } }');
    expect(result.body?.data).toEqual({
      findScene: {
        paths: {
          stream: `${double.url}/scene/1/stream?apikey=${key}`,
          sprite: `${double.url}/scene/aa11bb22cc33dd44_sprite.jpg`,
          vtt: `${double.url}/scene/aa11bb22cc33dd44_thumbs.vtt`,
          screenshot: expect.stringMatching(new RegExp(`^${double.url}/scene/1/screenshot\\?t=\\d+$`)),
        },
      },
    });
  });
});

describe('Stash double authentication', () => {
  it('answers a wrong key with 401 everywhere, as Stash does', async () => {
    const api = await graphql('{ version { version } }', {}, { ApiKey: 'wrong' });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('FormBased');
    const media = await fetch(`${double.url}/scene/1/stream`, { headers: { ApiKey: 'wrong' } });
    expect(media.status).toBe(401);
  });

  it('without a key: 401 for the API and files, a login redirect for pages', async () => {
    expect((await graphql('{ version { version } }', {}, {})).status).toBe(401);
    expect((await fetch(`${double.url}/scene/aa11bb22cc33dd44_thumbs.vtt`)).status).toBe(401);
    const page = await fetch(`${double.url}/scene/1/stream`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login\?returnURL=/);
  });

  it('accepts the key as the apikey parameter, like the stream URL Stash reports', async () => {
    const response = await fetch(`${double.url}/scene/1/stream?apikey=${key}`);
    expect(response.status).toBe(200);
    expect(double.requests.at(-1)).toMatchObject({ path: '/scene/1/stream', keyVia: 'query' });
  });

  it('is open when no key is configured', async () => {
    const open = await createStashDouble({ apiKey: null, scenes: [{ id: '1' }] });
    try {
      const response = await fetch(`${open.url}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ findScene(id: 1) { paths { stream } } }' }),
      });
      expect(await response.json()).toEqual({ data: { findScene: { paths: { stream: `${open.url}/scene/1/stream` } } } });
    } finally {
      await open.close();
    }
  });

  it('can be told to be down or to refuse every key', async () => {
    double.setMode('down');
    expect((await graphql('{ version { version } }')).status).toBe(503);
    double.setMode('refuseKey');
    expect((await graphql('{ version { version } }')).status).toBe(401);
    double.setMode('up');
    expect((await graphql('{ version { version } }')).status).toBe(200);
  });
});

describe('Stash double media', () => {
  it('serves byte ranges of the stream', async () => {
    const part = await fetch(`${double.url}/scene/1/stream`, { headers: { ApiKey: key, Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(stream.subarray(100, 200));

    const tail = await fetch(`${double.url}/scene/1/stream`, { headers: { ApiKey: key, Range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(stream.subarray(990));

    const whole = await fetch(`${double.url}/scene/1/stream`, { headers: { ApiKey: key } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect((await whole.arrayBuffer()).byteLength).toBe(1000);

    const beyond = await fetch(`${double.url}/scene/1/stream`, { headers: { ApiKey: key, Range: 'bytes=5000-' } });
    expect(beyond.status).toBe(416);
    expect(double.requests.filter((r) => r.range).map((r) => r.range)).toEqual(['bytes=100-199', 'bytes=-10', 'bytes=5000-']);
  });

  it('serves the VTT by the scene hash and 404s media it was not given', async () => {
    const vtt = await fetch(`${double.url}/scene/aa11bb22cc33dd44_thumbs.vtt`, { headers: { ApiKey: key } });
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toBe('WEBVTT\n');
    expect((await fetch(`${double.url}/scene/aa11bb22cc33dd44_sprite.jpg`, { headers: { ApiKey: key } })).status).toBe(404);
    expect((await fetch(`${double.url}/scene/1/screenshot`, { headers: { ApiKey: key } })).status).toBe(404);
  });
});
