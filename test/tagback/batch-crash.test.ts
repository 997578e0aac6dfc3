import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEnrolledDataDir } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from './scene-fixtures.js';

const temp = makeTempDir();
const media = createMediaCache();
const dataDir = join(temp.path, 'data');
let double: StashDouble;
const children: ChildProcess[] = [];

beforeAll(async () => {
  double = await createStashDouble(await buildBatchScenes(media, temp.path));
  await prepareEnrolledDataDir(temp.path, dataDir, { obama: obamaStashId });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await double?.close();
  media.close();
  temp.remove();
});

/** `stash-sense serve` in its own process, as Docker runs it; resolves with its URL once it listens. */
function serve(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'serve'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        MODELS_DIR: join(repoRoot, 'models'),
        EXECUTION_PROVIDER: 'cpu',
        HOST: '127.0.0.1',
        PORT: '0',
        STASH_URL: double.url,
        STASH_API_KEY: double.apiKey ?? '',
        SCENE_FRAMES: '10',
      },
    });
    children.push(child);
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening url=(http:\/\/[^\s/]+)/.exec(log);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening:\n${log}`)));
  });
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  // The service created its API key in DATA_DIR on first start, as a user's client reads it.
  const apiKey = readFileSync(join(dataDir, 'api-key'), 'utf8').trim();
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ApiKey: apiKey }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe('a batch whose process is SIGKILLed', () => {
  it('finishes after a restart, and Stash sees no scene updated twice', async () => {
    const first = await serve();
    const { startTagBack } = await graphql<{ startTagBack: { id: string } }>(
      first.url,
      `mutation { startTagBack(input: { scope: ALL_SCENES, autoApplyConfidence: 0.8, suggestConfidence: 0.4 }) { id } }`,
    );
    // Kill it right after Stash applied the first scene's performers, before the batch can go on.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (double.mutations.some((m) => m.field === 'bulkSceneUpdate')) {
          clearInterval(poll);
          first.child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => first.child.once('exit', resolve));
    const updatesAtKill = double.mutations.filter((m) => m.field === 'bulkSceneUpdate').length;
    expect(updatesAtKill).toBeGreaterThanOrEqual(1);

    const second = await serve();
    let job: { status: string; tagBack: { items: { sceneId: string; outcome: string }[] } };
    for (;;) {
      ({ job } = await graphql<{ job: typeof job }>(second.url, `query($id: ID!) { job(id: $id) { status tagBack { items { sceneId outcome } } } }`, { id: startTagBack.id }));
      if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));

    expect(job.status).toBe('COMPLETED');
    expect(job.tagBack.items.map((item) => item.sceneId)).toEqual(['1', '2', '3', '4', '5']);
    const updated = double.mutations.filter((m) => m.field === 'bulkSceneUpdate').map((m) => (m.args as { input: { ids: string[] } }).input.ids).flat();
    // Scene 3's softened face is a sure match under the calibrated confidence (README, Recognition accuracy).
    expect(updated.sort()).toEqual(['1', '2', '3']);
    expect(double.store.scenes.get('1')?.performerIds).toEqual(['21']);
    expect(double.store.scenes.get('2')?.performerIds).toEqual(['22']);
    expect(double.store.scenes.get('3')?.performerIds).toEqual(['23']);
  });
});
