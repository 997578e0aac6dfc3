import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEnrolledDataDir } from '../helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../helpers/fixtures.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from '../tagback/scene-fixtures.js';

const run = promisify(execFile);
const temp = makeTempDir();
const media = createMediaCache();
const dataDir = join(temp.path, 'data');
let double: StashDouble;

beforeAll(async () => {
  double = await createStashDouble(await buildBatchScenes(media, temp.path));
  await prepareEnrolledDataDir(temp.path, dataDir, { obama: obamaStashId });
});
afterAll(async () => {
  await double?.close();
  media.close();
  temp.remove();
});

describe('stash-sense tag-back', () => {
  it('tags the chosen scenes, shows progress and prints a summary', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'tag-back', '--scene', '1', '--scene', '4', '--auto-apply', '0.8', '--json'], {
      env: { ...process.env, DATA_DIR: dataDir, MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'warn', STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: '8' },
    });
    expect(stderr).toMatch(/Started tag-back job \d+/);
    expect(stderr).toMatch(/tag-back: 2\/2/);
    const summary = JSON.parse(stdout) as { applied: number; noFaces: number; items: { sceneId: string; outcome: string; added: string[] }[] };
    expect(summary.items).toEqual([
      expect.objectContaining({ sceneId: '1', outcome: 'APPLIED', added: ['21'] }),
      expect.objectContaining({ sceneId: '4', outcome: 'NO_FACES' }),
    ]);
    expect(double.mutations.filter((m) => m.field === 'bulkSceneUpdate')).toHaveLength(1);
    expect(stderr).not.toContain(double.apiKey!);
  });

  it('refuses a bad option before touching anything', async () => {
    const failure = await run(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'tag-back', '--scope', 'everything'], { env: { ...process.env, DATA_DIR: dataDir } }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--scope must be one of');
  });
});
