// The service follows the face database on disk: `stash-sense enroll` run as its own process while the
// service runs is served within a poll interval, and a request that started before finishes on the database
// it started with.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { splitPeople, writeEnrolmentFolder } from '../helpers/enrolment.js';
import { facesDir, makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';

const run = promisify(execFile);
const temp = makeTempDir();
const dataDir = join(temp.path, 'data');
const cliEnv = { ...process.env, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'warn' };
const NEWCOMER = 'kit_harington';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let double: StashDouble;
let app: App;
let logger: Awaited<ReturnType<typeof openTestApp>>['logger'];
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  const { enrolled, heldBack } = splitPeople();
  const newcomerProbe = heldBack.find((photo) => photo.identities[0] === NEWCOMER)!;
  double = await createStashDouble({ scenes: [{ id: '1', title: 'Held up', media: { screenshot: { file: newcomerProbe.path } } }] });
  ({ app, logger } = await openTestApp(dataDir, { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' }));
  writeEnrolmentFolder(join(temp.path, 'first'), enrolled.filter((photo) => photo.identities[0] !== NEWCOMER));
  writeEnrolmentFolder(join(temp.path, 'newcomer'), enrolled.filter((photo) => photo.identities[0] === NEWCOMER));
  await app.services.enroll.enrollFolder(join(temp.path, 'first'));
  server = await startTestServer(app);
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  await double?.close();
  temp.remove();
});

const identifyQuery = `mutation($base64: String) { identifyImage(base64: $base64) { databaseVersion faces { candidates { name } } } }`;
const sceneQuery = `mutation { identifyScene(sceneId: "1", options: { sources: [SCREENSHOT] }) { databaseVersion persons { candidates { name } } } }`;
type ImageResult = { identifyImage: { databaseVersion: string; faces: { candidates: { name: string }[] }[] } };
type SceneResult = { identifyScene: { databaseVersion: string; persons: { candidates: { name: string }[] }[] } };

describe('a face database written by another process', () => {
  it('is served within seconds of a CLI enrol, while a request started before finishes on the old one', async () => {
    const probe = readFileSync(splitPeople().heldBack.find((photo) => photo.identities[0] === NEWCOMER)!.path).toString('base64');
    const oldVersion = app.faces().info().version;
    const before = await server.graphql<ImageResult>(identifyQuery, { base64: probe });
    expect(before.data!.identifyImage.faces[0]!.candidates.map((candidate) => candidate.name)).not.toContain(NEWCOMER);

    // A scene identification that has taken its database and now waits for Stash to send the screenshot.
    const release = double.holdMedia();
    let sceneDone = false;
    const scene = server.graphql<SceneResult>(sceneQuery).finally(() => (sceneDone = true));
    while (!double.requests.some((request) => request.kind === 'media')) await sleep(20);

    const { stdout } = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'enroll', '--data-dir', dataDir, join(temp.path, 'newcomer')], { env: cliEnv });
    expect(stdout).toMatch(/Enrolled [1-9]\d* new face\(s\)/);
    expect(stdout).toContain('picks this version up within a few seconds');

    let after: ImageResult['identifyImage'] | undefined;
    for (;;) {
      const { data, errors } = await server.graphql<ImageResult>(identifyQuery, { base64: probe });
      expect(errors).toBeUndefined();
      after = data!.identifyImage;
      if (after.databaseVersion !== oldVersion) break;
      await sleep(200);
    }
    expect(after.faces[0]!.candidates[0]!.name).toBe(NEWCOMER);
    expect(sceneDone).toBe(false);
    const switched = logger.lines.find((line) => line.message === 'face database switched');
    expect(switched?.fields).toMatchObject({ from: oldVersion, to: after.databaseVersion, requestsOnOld: 1 });

    release();
    const { data, errors } = await scene;
    expect(errors).toBeUndefined();
    // It started on the old database: same version, and the newcomer (not in it) is nobody's match.
    expect(data!.identifyScene.databaseVersion).toBe(oldVersion);
    expect(data!.identifyScene.persons.flatMap((person) => person.candidates.map((candidate) => candidate.name))).not.toContain(NEWCOMER);
    // The old database closed once that request let go of it.
    await sleep(50);
    expect(logger.lines.filter((line) => line.message === 'face database closed')).toHaveLength(1);
  });
});
