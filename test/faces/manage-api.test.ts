// Face database management as users reach it: GraphQL (what the plugin calls) and `stash-sense faces`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { faces as facesCommand } from '../../src/cli/commands/faces.js';
import { loadConfig } from '../../src/config.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { runCommand } from '../helpers/run-command.js';
import { startTestServer } from '../helpers/server.js';

const PEOPLE = ['biden', 'obama', 'kit_harington', 'rose_leslie'];
const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
let app: App;
let server: Awaited<ReturnType<typeof startTestServer>>;
const { enrolled, heldBack } = splitPeople();

beforeAll(async () => {
  ({ app } = await openTestApp(dataDir));
  writeEnrolmentFolder(join(temp.path, 'people'), enrolled.filter((photo) => PEOPLE.includes(photo.identities[0]!)));
  await app.services.enroll.enrollFolder(join(temp.path, 'people'));
  server = await startTestServer(app);
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  temp.remove();
});

type Performer = { id: string; name: string; aliases: string[]; faceCount: number; thumbnail: string | null; stashIds: { endpoint: string; stashId: string }[] };
type Face = { id: string; origin: string; sourcePath: string | null; thumbnail: string | null; box: { width: number } };

const performerFields = 'id name aliases faceCount thumbnail stashIds { endpoint stashId }';

async function performerNamed(name: string): Promise<Performer> {
  const { data, errors } = await server.graphql<{ facePerformers: { total: number; performers: Performer[] } }>(
    `query($search: String) { facePerformers(search: $search) { total performers { ${performerFields} } } }`,
    { search: name },
  );
  expect(errors).toBeUndefined();
  return data!.facePerformers.performers.find((performer) => performer.name === name)!;
}

async function topMatch(identity: string): Promise<string | undefined> {
  const photo = heldBack.find((entry) => entry.identities[0] === identity)!;
  const { data } = await server.graphql<{ identifyImage: { faces: { candidates: { name: string }[] }[] } }>(
    'mutation($b: String) { identifyImage(base64: $b) { faces { candidates { name } } } }',
    { b: readFileSync(photo.path).toString('base64') },
  );
  return data!.identifyImage.faces[0]?.candidates[0]?.name;
}

describe('face database management over GraphQL', () => {
  it('lists and searches performers with face counts and thumbnails', async () => {
    const { data } = await server.graphql<{ facePerformers: { total: number; performers: Performer[] } }>(
      `{ facePerformers(first: 2) { total performers { ${performerFields} } } }`,
    );
    expect(data!.facePerformers.total).toBe(PEOPLE.length);
    expect(data!.facePerformers.performers.map((performer) => performer.name)).toEqual(['biden', 'kit_harington']);
    for (const performer of data!.facePerformers.performers) {
      expect(performer.faceCount).toBeGreaterThan(0);
      expect(performer.thumbnail).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    }
    expect((await performerNamed('OBAMA'.toLowerCase())).name).toBe('obama');
  });

  it("shows a performer's faces with where each came from", async () => {
    const biden = await performerNamed('biden');
    const { data } = await server.graphql<{ facePerformer: Performer & { faces: Face[] } }>(
      `query($id: ID!) { facePerformer(id: $id) { name faces { id origin sourcePath thumbnail box { width } } } }`,
      { id: biden.id },
    );
    expect(data!.facePerformer.faces).toHaveLength(biden.faceCount);
    for (const face of data!.facePerformer.faces) {
      expect(face.origin).toBe('FILE');
      expect(face.sourcePath).toContain(join(temp.path, 'people', 'biden'));
      expect(face.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
      expect(face.box.width).toBeGreaterThan(30);
    }
    const missing = await server.graphql<{ facePerformer: null }>('{ facePerformer(id: "nobody") { id } }');
    expect(missing.data!.facePerformer).toBeNull();
  });

  it('renames and edits aliases and stash-box IDs; identification then answers with the new name', async () => {
    const rose = await performerNamed('rose_leslie');
    const stashId = { endpoint: 'https://stashdb.org/graphql', stashId: 'rose-uuid' };
    const { data, errors } = await server.graphql<{ editFacePerformer: Performer }>(
      `mutation($id: ID!, $edit: FacePerformerEdit!) { editFacePerformer(id: $id, edit: $edit) { ${performerFields} } }`,
      { id: rose.id, edit: { name: 'Rose Leslie', aliases: ['Ygritte'], stashIds: [stashId] } },
    );
    expect(errors).toBeUndefined();
    expect(data!.editFacePerformer).toMatchObject({ id: rose.id, name: 'Rose Leslie', aliases: ['Ygritte'], stashIds: [stashId] });
    expect(await topMatch('rose_leslie')).toBe('Rose Leslie');
    const blank = await server.graphql(`mutation($id: ID!) { editFacePerformer(id: $id, edit: { name: "" }) { id } }`, { id: rose.id });
    expect(blank.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
  });

  it('deletes a face, and says NOT_FOUND for one that is not there', async () => {
    const kit = await performerNamed('kit_harington');
    const { data: shown } = await server.graphql<{ facePerformer: { faces: Face[] } }>(`query($id: ID!) { facePerformer(id: $id) { faces { id } } }`, { id: kit.id });
    const versionBefore = app.faces().info().version;
    const { data, errors } = await server.graphql<{ deleteFace: { facesDeleted: number; database: { version: string; faceCount: number; pendingChanges: number } } }>(
      `mutation($id: ID!) { deleteFace(id: $id) { facesDeleted database { version faceCount pendingChanges } } }`,
      { id: shown!.facePerformer.faces[0]!.id },
    );
    expect(errors).toBeUndefined();
    expect(data!.deleteFace.facesDeleted).toBe(1);
    expect(data!.deleteFace.database.version).not.toBe(versionBefore);
    expect((await performerNamed('kit_harington')).faceCount).toBe(kit.faceCount - 1);
    const again = await server.graphql(`mutation($id: ID!) { deleteFace(id: $id) { facesDeleted } }`, { id: shown!.facePerformer.faces[0]!.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('merges two performers, then deletes one with all their faces', async () => {
    const obama = await performerNamed('obama');
    const biden = await performerNamed('biden');
    const { data, errors } = await server.graphql<{ mergeFacePerformers: Performer }>(
      `mutation($from: ID!, $into: ID!) { mergeFacePerformers(from: $from, into: $into) { ${performerFields} } }`,
      { from: obama.id, into: biden.id },
    );
    expect(errors).toBeUndefined();
    expect(data!.mergeFacePerformers).toMatchObject({ id: biden.id, name: 'biden', faceCount: obama.faceCount + biden.faceCount, aliases: ['obama'] });
    expect(await topMatch('obama')).toBe('biden');

    const deleted = await server.graphql<{ deleteFacePerformer: { facesDeleted: number; performersDeleted: number; database: { performerCount: number } } }>(
      `mutation($id: ID!) { deleteFacePerformer(id: $id) { facesDeleted performersDeleted database { performerCount } } }`,
      { id: biden.id },
    );
    expect(deleted.data!.deleteFacePerformer).toEqual({ facesDeleted: obama.faceCount + biden.faceCount, performersDeleted: 1, database: { performerCount: PEOPLE.length - 2 } });
    expect(await topMatch('obama')).not.toBe('biden');
    const compacted = await server.graphql<{ compactFaceDatabase: { pendingChanges: number } }>('mutation { compactFaceDatabase { pendingChanges } }');
    expect(compacted.data!.compactFaceDatabase.pendingChanges).toBe(0);
    expect(await topMatch('rose_leslie')).toBe('Rose Leslie');
  });
});

describe('stash-sense faces', () => {
  const config = () => loadConfig({ MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', DATA_DIR: dataDir });
  const cli = (...args: string[]) => runCommand(facesCommand, args, {}, config());

  it('lists, shows, renames and sets aliases, and the service serves the change', async () => {
    const listed = await cli('list', '--search', 'kit');
    expect(listed.error).toBeUndefined();
    const [line] = listed.stdout.split('\n');
    expect(line).toMatch(/^\S+ {2}kit_harington {2}\(\d+ face\(s\)\)/);
    const id = line!.split(' ')[0]!;
    const shown = await cli('show', id);
    expect(shown.stdout).toMatch(/face \d+ {2}file \S*kit_harington\S*\.jpg {2}score \d\.\d\d/);

    expect((await cli('rename', id, 'Kit Harington')).stdout).toContain('Renamed:');
    expect((await cli('aliases', id, 'Jon Snow')).stdout).toContain('aliases: Jon Snow');
    expect((await cli('stash-ids', id, 'https://stashdb.org/graphql=kit-uuid')).stdout).toContain('https://stashdb.org/graphql=kit-uuid');
    const json = JSON.parse((await cli('show', id, '--json')).stdout) as { name: string; faces: unknown[] };
    expect(json.name).toBe('Kit Harington');
    // The service follows what another process writes (the test's time limit bounds the wait).
    while ((await topMatch('kit_harington')) !== 'Kit Harington') await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('refuses usage mistakes as BAD_INPUT', async () => {
    for (const args of [[], ['frobnicate'], ['rename', 'only-an-id'], ['list', 'extra'], ['list', '--limit', '-1'], ['stash-ids', 'x', 'no-equals-sign']]) {
      const { error } = await cli(...args);
      expect(error, args.join(' ')).toMatchObject({ code: 'BAD_INPUT' });
    }
    expect((await cli('delete', 'nobody')).error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('deletes a face and compacts', async () => {
    const id = (await cli('list', '--search', 'Kit Harington')).stdout.split(' ')[0]!;
    const faceId = /face (\d+)/.exec((await cli('show', id)).stdout)![1]!;
    expect((await cli('delete-face', faceId)).stdout).toContain(`Deleted face ${faceId}.`);
    expect((await cli('compact')).stdout).toMatch(/Compacted \d+ change\(s\)/);
    expect((await cli('compact')).stdout).toBe('Nothing to compact.\n');
  });
});
