// `stash-sense tag-back` beside a running service (the Docker case): the job runs in the service, over its
// GraphQL API, and the CLI follows its progress and prints the same summary.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { prepareEnrolledDataDir } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from '../tagback/scene-fixtures.js';

const run = promisify(execFile);
const temp = makeTempDir();
const media = createMediaCache();
const dataDir = join(temp.path, 'data');
let double: StashDouble;
let app: App;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  double = await createStashDouble(await buildBatchScenes(media, temp.path));
  await prepareEnrolledDataDir(temp.path, dataDir, { obama: obamaStashId });
  ({ app } = await openTestApp(dataDir, { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: '8' }, { runJobs: true }));
  server = await startTestServer(app);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  await double?.close();
  media.close();
  temp.remove();
});

describe('stash-sense tag-back while the service runs', () => {
  it('hands the job to the service, follows its progress and prints its summary', { timeout: 180_000 }, async () => {
    const port = new URL(server.url).port;
    // No STASH_URL here: the service's own Stash settings are used, proving the work happens there.
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'tag-back', '--scene', '1', '--scene', '4', '--auto-apply', '0.8', '--json'], {
      env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: port, LOG_LEVEL: 'warn', STASH_URL: '', STASH_API_KEY: '' },
    });
    const started = /Started tag-back job (\d+) on the running service at (http:\/\/127\.0\.0\.1:\d+)\./.exec(stderr);
    expect(started?.[2]).toBe(server.url);
    expect(stderr).toMatch(/tag-back: 2\/2/);
    const summary = JSON.parse(stdout) as { applied: number; items: { sceneId: string; outcome: string; added: string[] }[] };
    expect(summary.items).toEqual([
      expect.objectContaining({ sceneId: '1', outcome: 'APPLIED', added: ['21'] }),
      expect.objectContaining({ sceneId: '4', outcome: 'NO_FACES' }),
    ]);
    expect(double.mutations.filter((m) => m.field === 'bulkSceneUpdate')).toHaveLength(1);
    // The job is the service's own: recorded in its runner, completed there.
    expect(app.services.jobs.get(started![1]!)).toMatchObject({ kind: 'tagBack', status: 'completed' });
  });

  it('says so when the service holding the lock does not answer', async () => {
    const failure = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'tag-back', '--scene', '1'], {
      env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '9', LOG_LEVEL: 'warn' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr.trim()).toMatch(/^stash-sense: A Stash Sense service holds the job lock on this data folder but does not answer at http:\/\/127\.0\.0\.1:9 .*--url/);
  });
});
