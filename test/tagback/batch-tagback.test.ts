import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import type { StashDouble } from '../stash-double/index.js';
import { buildBatchScenes, createMediaCache, obamaStashId } from './scene-fixtures.js';

const temp = makeTempDir();
const media = createMediaCache();
let double: StashDouble;
let server: StashSidecar['server'];
let sidecar: StashSidecar;

const jobFields = `id status progress { done total current } error { code message }
  tagBack { dryRun scenes applied performersAdded recommended noFaces skipped failed items { sceneId outcome added recommendations error } }`;

interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
  error: { code: string; message: string } | null;
  tagBack: { applied: number; recommended: number; noFaces: number; skipped: number; failed: number; items: { sceneId: string; outcome: string; added: string[]; recommendations: string[] }[] };
}

async function startJob(input: Record<string, unknown>): Promise<JobView> {
  const { data, errors } = await server.graphql<{ startTagBack: JobView }>(`mutation($input: TagBackInput!) { startTagBack(input: $input) { ${jobFields} } }`, { input });
  expect(errors).toBeUndefined();
  return data!.startTagBack;
}

async function waitForJob(id: string): Promise<JobView> {
  for (;;) {
    const { data } = await server.graphql<{ job: JobView }>(`query($id: ID!) { job(id: $id) { ${jobFields} } }`, { id });
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(data!.job.status)) return data!.job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  sidecar = await startStashSidecar(temp.path, {
    stash: await buildBatchScenes(media, temp.path),
    stashIds: { obama: obamaStashId },
    env: { SCENE_FRAMES: '10' },
    app: { runJobs: true },
  });
  ({ double, server } = sidecar);
});
afterAll(async () => {
  await sidecar?.close();
  media.close();
  temp.remove();
});

describe('batch tag-back', () => {
  // Scene 3 (a small, softened face) is kept for the dry run below: with the calibrated confidence it is a sure
  // match, no longer a weak one (see README, Recognition accuracy).
  const batchScenes = ['1', '2', '4', '5'];
  it('applies the clear scenes, records the empty one and leaves the tagged one', async () => {
    const job = await startJob({ scope: 'SCENE_IDS', sceneIds: batchScenes, autoApplyConfidence: 0.8, suggestConfidence: 0.4 });
    const done = await waitForJob(job.id);
    expect(done.status).toBe('COMPLETED');
    const outcome = Object.fromEntries(done.tagBack.items.map((item) => [item.sceneId, item]));
    expect(outcome['1']).toMatchObject({ outcome: 'APPLIED', added: ['21'] });
    expect(outcome['2']).toMatchObject({ outcome: 'APPLIED', added: ['22'] });
    expect(outcome['4']!.outcome).toBe('NO_FACES');
    expect(outcome['5']!.outcome).toBe('ALREADY_TAGGED');

    // Exactly the clear scenes were updated, each once, ADD only; the tagged scene kept its performer.
    const updates = double.mutations.filter((m) => m.field === 'bulkSceneUpdate');
    expect(updates.map((m) => m.args)).toEqual([
      { input: { ids: ['1'], performer_ids: { ids: ['21'], mode: 'ADD' }, tag_ids: { ids: [], mode: 'ADD' } } },
      { input: { ids: ['2'], performer_ids: { ids: ['22'], mode: 'ADD' }, tag_ids: { ids: [], mode: 'ADD' } } },
    ]);
    expect(double.store.scenes.get('5')?.performerIds).toEqual(['24']);

    const recs = await server.graphql<{ recommendations: { edges: { node: { id: string; targets: { type: string; id: string }[] } }[] } }>(
      `{ recommendations(filter: { type: SCENE_PERFORMER }) { edges { node { id targets { type id } } } } }`,
    );
    expect(recs.data!.recommendations.edges).toEqual([]);

    // A second run skips every scene identified with this face database — the empty one included.
    const rerun = await waitForJob((await startJob({ scope: 'SCENE_IDS', sceneIds: batchScenes, autoApplyConfidence: 0.8, suggestConfidence: 0.4 })).id);
    expect(rerun.tagBack.skipped).toBe(4);
    expect(double.mutations.filter((m) => m.field === 'bulkSceneUpdate')).toHaveLength(2);
  });

  it('a dry run reports what it would do and changes nothing', async () => {
    const before = double.mutations.length;
    const fresh = await waitForJob((await startJob({ scope: 'SCENE_IDS', sceneIds: ['3'], force: true, dryRun: true, autoApplyConfidence: 0.3, suggestConfidence: 0.2 })).id);
    expect(fresh.tagBack.items[0]).toMatchObject({ outcome: 'WOULD_APPLY', added: ['23'] });
    expect(double.mutations.length).toBe(before);
  });

  it('refuses bad input clearly', async () => {
    const { errors } = await server.graphql(`mutation { startTagBack(input: { scope: SCENE_IDS }) { id } }`);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
    const filter = await server.graphql(`mutation { startTagBack(input: { scope: SCENE_FILTER, sceneFilter: "not json" }) { id } }`);
    expect(filter.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
  });
});

describe('jobProgress over SSE, and cancelJob', () => {
  async function* sse(query: string, variables: Record<string, unknown>): AsyncGenerator<{ data?: { jobProgress: JobView } }> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...server.authHeaders },
      body: JSON.stringify({ query, variables }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').find((line) => line.startsWith('data:'));
        if (event.startsWith('event: complete')) return;
        if (data && data.length > 5) yield JSON.parse(data.slice(5)) as { data?: { jobProgress: JobView } };
      }
    }
  }

  it('delivers progress events until the job completes', async () => {
    const job = await startJob({ scope: 'SCENE_IDS', sceneIds: ['1', '2', '3'], force: true, dryRun: true });
    const events: JobView[] = [];
    for await (const event of sse(`subscription($id: ID!) { jobProgress(id: $id) { ${jobFields} } }`, { id: job.id })) {
      events.push(event.data!.jobProgress);
    }
    expect(events.at(-1)!.status).toBe('COMPLETED');
    const done = events.map((event) => event.progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done).toContain(1);
    expect(done.at(-1)).toBe(3);
  });

  it('cancelJob stops a running job between scenes', async () => {
    const job = await startJob({ scope: 'SCENE_IDS', sceneIds: ['1', '2', '3', '4', '5'], force: true, dryRun: true });
    let cancelled = false;
    let last: JobView | undefined;
    for await (const event of sse(`subscription($id: ID!) { jobProgress(id: $id) { ${jobFields} } }`, { id: job.id })) {
      last = event.data!.jobProgress;
      if (!cancelled && last.progress.done >= 1) {
        cancelled = true;
        const { data } = await server.graphql<{ cancelJob: { id: string } }>(`mutation($id: ID!) { cancelJob(id: $id) { id } }`, { id: job.id });
        expect(data!.cancelJob.id).toBe(job.id);
      }
    }
    expect(last!.status).toBe('CANCELLED');
    expect(last!.progress.done).toBeLessThan(5);
  });
});
