import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { buildSceneVideo, buildScreenshot, buildSpriteSheet, createMediaCache, facePhoto, type StashDouble } from '../stash-double/index.js';

const stashdb = 'https://stashdb.org/graphql';
const obamaId = '0ba4a000-0000-4000-8000-000000000001';
const bidenId = 'b1d3n000-0000-4000-8000-000000000002';
const temp = makeTempDir();
const media = createMediaCache();
let double: StashDouble;
let server: StashSidecar['server'];
let sidecar: StashSidecar;

const identifySceneQuery = `mutation($id: ID!, $options: SceneIdentifyOptions) {
  identifyScene(sceneId: $id, options: $options) {
    sceneId framesRead facesDetected databaseVersion
    sources { source frames faces error }
    persons { personId faceCount frameCount timestamps thumbnail status
      candidates { performerId name distance confidence frameCount alreadyTagged link { rule stashPerformerId stashPerformerName } } }
    timings { framesMs detectMs embedMs searchMs clusterMs linkMs totalMs }
  }
}`;

interface Person {
  status: string;
  frameCount: number;
  thumbnail: string;
  candidates: { name: string; confidence: number; alreadyTagged: boolean; link: { rule: string; stashPerformerId: string | null } }[];
}
interface SceneResult {
  identifyScene: { framesRead: number; facesDetected: number; sources: { source: string; frames: number; error: string | null }[]; persons: Person[] } | null;
}

beforeAll(async () => {
  const video = await buildSceneVideo(media, {
    segments: [
      { photo: facePhoto('people/obama/02.jpg'), seconds: 3 },
      { photo: facePhoto('people/biden/01.jpg'), seconds: 3 },
      // On screen for half a second: a handful of the 60 frames.
      { photo: facePhoto('people/kit_harington/03.jpg'), seconds: 0.5 },
      { photo: facePhoto('groups/longoria-cooper.jpg'), seconds: 2 },
    ],
  });
  const sprite = await buildSpriteSheet(media, video, { spriteName: 'abc123_sprite.jpg' });
  const screenshot = await buildScreenshot(media, video, 1.5);
  const file = { duration: video.durationSeconds, width: video.width, height: video.height, oshash: 'abc123' };
  sidecar = await startStashSidecar(temp.path, {
    stashIds: { obama: obamaId, biden: bidenId },
    env: { SCENE_FRAMES: '40' },
    stash: {
    performers: [
      { id: '11', name: 'Joe Biden', stashIds: [{ endpoint: stashdb, stashId: bidenId }] },
      { id: '12', name: 'Barack Obama', stashIds: [{ endpoint: stashdb, stashId: obamaId }] },
      { id: '13', name: 'Someone Else' },
      { id: '14', name: 'KIT_HARINGTON' },
    ],
    scenes: [
      { id: '1', title: 'Two people', files: [file], performerIds: ['13'], media: { stream: { file: video.path }, sprite: sprite.sprite, vtt: sprite.vtt, screenshot } },
      { id: '2', title: 'No file', files: [] },
      { id: '3', title: 'Corrupt', files: [{ duration: 10, width: 1280, height: 720, oshash: 'bad000' }], media: { stream: Buffer.from('this is not a video file at all'.repeat(100)) } },
      { id: '4', title: 'Stream gone', files: [{ ...file, oshash: 'abc124' }], media: { sprite: sprite.sprite, vtt: sprite.vtt.replaceAll('abc123_sprite', 'abc124_sprite'), screenshot } },
    ],
    },
  });
  ({ double, server } = sidecar);
});
afterAll(async () => {
  await sidecar?.close();
  media.close();
  temp.remove();
});

const best = (person: Person) => person.candidates[0];

describe('identifyScene against the Stash double', () => {
  it('finds both people, links them by stash-box ID, and tags them back with one ADD', async () => {
    const { data, errors } = await server.graphql<SceneResult>(identifySceneQuery, { id: '1' });
    expect(errors).toBeUndefined();
    const result = data!.identifyScene!;
    expect(result.framesRead).toBeGreaterThan(40);
    const matched = result.persons.filter((person) => person.status === 'MATCHED');
    const byName = new Map(matched.map((person) => [best(person)!.name, person]));
    expect(best(byName.get('obama')!)!.link).toEqual({ rule: 'STASH_ID', stashPerformerId: '12', stashPerformerName: 'Barack Obama' });
    expect(best(byName.get('biden')!)!.link).toMatchObject({ rule: 'STASH_ID', stashPerformerId: '11' });
    expect(byName.get('obama')!.thumbnail).toMatch(/^data:image\/jpeg;base64,/);

    // Half a second on screen is enough; linked by exact name, ignoring case.
    expect(best(byName.get('kit_harington')!)!.link).toMatchObject({ rule: 'NAME', stashPerformerId: '14' });

    // The two strangers are reported as unknown, never as the nearest enrolled face.
    const unknown = result.persons.filter((person) => person.status === 'UNKNOWN');
    expect(unknown.length).toBeGreaterThanOrEqual(2);
    for (const person of unknown) expect(person.candidates).toEqual([]);
    expect(matched.map((person) => best(person)!.name).sort()).toEqual(['biden', 'kit_harington', 'obama']);

    const apply = await server.graphql<{ applyScenePerformers: { added: string[]; changed: boolean; performerIds: string[] } }>(
      `mutation { applyScenePerformers(sceneId: "1", performerIds: ["11", "12"]) { added changed performerIds } }`,
    );
    expect(apply.errors).toBeUndefined();
    expect(apply.data!.applyScenePerformers).toMatchObject({ added: ['11', '12'], changed: true });
    expect(double.store.scenes.get('1')?.performerIds.sort()).toEqual(['11', '12', '13']);
    expect(double.mutations.map((m) => m.field)).toEqual(['bulkSceneUpdate']);
    expect(double.mutations[0]!.args).toMatchObject({ input: { ids: ['1'], performer_ids: { ids: ['11', '12'], mode: 'ADD' } } });

    // Idempotent: applying again changes nothing and sends nothing.
    const again = await server.graphql<{ applyScenePerformers: { added: string[]; alreadyPresent: string[]; changed: boolean } }>(
      `mutation { applyScenePerformers(sceneId: "1", performerIds: ["11", "12"]) { added alreadyPresent changed } }`,
    );
    expect(again.data!.applyScenePerformers).toEqual({ added: [], alreadyPresent: ['11', '12'], changed: false });
    expect(double.mutations).toHaveLength(1);
  });

  it('stores the result for sceneIdentification, with the face database version', async () => {
    const { data } = await server.graphql<{ sceneIdentification: { sceneId: string; databaseVersion: string; persons: unknown[] } | null; faceDatabase: { version: string } }>(
      `{ sceneIdentification(sceneId: "1") { sceneId databaseVersion persons { personId } } faceDatabase { version } }`,
    );
    expect(data!.sceneIdentification).toMatchObject({ sceneId: '1', databaseVersion: data!.faceDatabase.version });
    expect(data!.sceneIdentification!.persons.length).toBeGreaterThanOrEqual(3);
    const never = await server.graphql<{ sceneIdentification: unknown }>(`{ sceneIdentification(sceneId: "2") { sceneId } }`);
    expect(never.data!.sceneIdentification).toBeNull();
  });

  it('dismissing a candidate records it, so later runs keep it hidden', async () => {
    const { data } = await server.graphql<{ sceneIdentification: { persons: { candidates: { performerId: string; name: string }[] }[] } }>(
      `{ sceneIdentification(sceneId: "1") { persons { candidates { performerId name } } } }`,
    );
    const kit = data!.sceneIdentification.persons.flatMap((p) => p.candidates).find((c) => c.name === 'kit_harington')!;
    const dismissed = await server.graphql<{ dismissSceneCandidate: { status: string; type: string; targets: { type: string; id: string }[] } }>(
      `mutation($performerId: ID!) { dismissSceneCandidate(sceneId: "1", performerId: $performerId) { status type targets { type id } } }`,
      { performerId: kit.performerId },
    );
    expect(dismissed.errors).toBeUndefined();
    expect(dismissed.data!.dismissSceneCandidate).toEqual({ status: 'DISMISSED', type: 'SCENE_PERFORMER', targets: [{ type: 'scene', id: '1' }, { type: 'performer', id: '14' }] });
    const listed = await server.graphql<{ recommendations: { totalCount: number } }>(`{ recommendations(filter: { status: DISMISSED, targetId: "1" }) { totalCount } }`);
    expect(listed.data!.recommendations.totalCount).toBe(1);
    const unknown = await server.graphql(`mutation { dismissSceneCandidate(sceneId: "1", performerId: "nobody") { id } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it.each([['SPRITE'], ['SCREENSHOT']])('identifies from the %s alone when the stream fails', async (source) => {
    const { data, errors } = await server.graphql<SceneResult>(identifySceneQuery, { id: '4', options: { sources: [source] } });
    expect(errors).toBeUndefined();
    const result = data!.identifyScene!;
    expect(result.sources).toEqual([expect.objectContaining({ source, error: null })]);
    const names = result.persons.filter((p) => p.status === 'MATCHED').map((p) => best(p)!.name);
    // The screenshot (at 1.5 s) shows Obama; Stash's 160 px sprite thumbnails are small, so any enrolled
    // person of the scene recognised there shows the source works, and nobody else may be named.
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(['obama', 'biden', 'kit_harington']).toContain(name);
    if (source === 'SCREENSHOT') expect(names).toEqual(['obama']);
  });

  it('reports a failed stream but still answers from the other sources', async () => {
    const { data, errors } = await server.graphql<SceneResult>(identifySceneQuery, { id: '4' });
    expect(errors).toBeUndefined();
    const stream = data!.identifyScene!.sources.find((s) => s.source === 'STREAM')!;
    expect(stream.frames).toBe(0);
    expect(stream.error).toBeTruthy();
  });
});

describe('identifyScene errors, with nothing written to Stash', () => {
  const before = () => double.mutations.length;

  it.each([
    ['an unknown scene', '999', {}, 'NOT_FOUND'],
    ['a scene with no video file', '2', { sources: ['STREAM'] }, 'BAD_INPUT'],
    ['a corrupt video', '3', { sources: ['STREAM'] }, 'BAD_INPUT'],
  ])('%s → %s', async (_name, id, options, code) => {
    const count = before();
    const { data, errors } = await server.graphql<SceneResult>(identifySceneQuery, { id, options });
    expect(data?.identifyScene ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe(code);
    expect(errors?.[0]?.message).not.toContain(double.apiKey!);
    expect(double.mutations.length).toBe(count);
  });

  it('Stash down → STASH_UNAVAILABLE; wrong key → STASH_AUTH', async () => {
    const count = before();
    double.setMode('down');
    try {
      const down = await server.graphql<SceneResult>(identifySceneQuery, { id: '1' });
      expect(down.errors?.[0]?.extensions?.code).toBe('STASH_UNAVAILABLE');
      double.setMode('refuseKey');
      const refused = await server.graphql<SceneResult>(identifySceneQuery, { id: '1' });
      expect(refused.errors?.[0]?.extensions?.code).toBe('STASH_AUTH');
      const apply = await server.graphql(`mutation { applyScenePerformers(sceneId: "1", performerIds: ["13"]) { changed } }`);
      expect(apply.errors?.[0]?.extensions?.code).toBe('STASH_AUTH');
    } finally {
      double.setMode('up');
    }
    expect(double.mutations.length).toBe(count);
  });

  it('an unknown performer id is refused before anything is sent', async () => {
    const count = before();
    const apply = await server.graphql(`mutation { applyScenePerformers(sceneId: "1", performerIds: ["999"]) { changed } }`);
    expect(apply.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(double.mutations.length).toBe(count);
  });
});
