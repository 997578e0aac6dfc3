// A batch tag-back waits out a Stash outage: it shows that it is waiting in its progress, tries again with a
// growing wait, and finishes once Stash is back, applying each scene once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from './scene-fixtures.js';

const temp = makeTempDir('stash-outage-');
const media = createMediaCache();
let sidecar: StashSidecar;

interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null; current: string | null };
  tagBack: { items: { sceneId: string; outcome: string; added: string[] }[] } | null;
}
const jobFields = 'id status progress { done total current } tagBack { items { sceneId outcome added } }';
const job = async (id: string) => (await sidecar.server.graphql<{ job: JobView }>(`query($id: ID!) { job(id: $id) { ${jobFields} } }`, { id })).data!.job;
const pause = () => new Promise((resolve) => setTimeout(resolve, 100));

beforeAll(async () => {
  sidecar = await startStashSidecar(temp.path, { stash: await buildBatchScenes(media, temp.path), stashIds: { obama: obamaStashId }, env: { SCENE_FRAMES: '10' }, app: { runJobs: true } });
});
afterAll(async () => {
  await sidecar?.close();
  media.close();
  temp.remove();
});

describe('a tag-back job while Stash is down', () => {
  it('waits, shows it in its progress, and finishes when Stash is back', async () => {
    sidecar.double.setMode('down');
    const started = await sidecar.server.graphql<{ startTagBack: JobView }>(
      `mutation { startTagBack(input: { scope: SCENE_IDS, sceneIds: ["1", "2"], autoApplyConfidence: 0.8, suggestConfidence: 0.4 }) { ${jobFields} } }`,
    );
    expect(started.errors).toBeUndefined();
    const id = started.data!.startTagBack.id;

    let waiting = await job(id);
    while (!waiting.progress.current?.startsWith('waiting for Stash')) {
      expect(waiting.status).not.toBe('FAILED');
      await pause();
      waiting = await job(id);
    }
    expect(waiting.status).toBe('RUNNING');
    expect(waiting.progress.current).toMatch(/^waiting for Stash \(unreachable, try \d+; next in \d+ s\)$/);
    expect(sidecar.double.mutations.filter((m) => m.field === 'bulkSceneUpdate')).toHaveLength(0);

    sidecar.double.setMode('up');
    let finished = await job(id);
    while (finished.status === 'RUNNING' || finished.status === 'QUEUED') {
      await pause();
      finished = await job(id);
    }
    expect(finished.status).toBe('COMPLETED');
    expect(finished.tagBack!.items.map((item) => [item.sceneId, item.outcome])).toEqual([
      ['1', 'APPLIED'],
      ['2', 'APPLIED'],
    ]);
    expect(sidecar.double.mutations.filter((m) => m.field === 'bulkSceneUpdate').map((m) => (m.args as { input: { ids: string[] } }).input.ids)).toEqual([['1'], ['2']]);
  });
});
