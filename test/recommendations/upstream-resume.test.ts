import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { openTestApp } from '../helpers/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { createStashBoxDouble, type StashBoxDouble } from '../stashbox-double/index.js';

const temp = makeTempDir('upstream-resume-');
const dataDir = join(temp.path, 'data');
const ids = ['uuid-1', 'uuid-2', 'uuid-3', 'uuid-4'];
let box: StashBoxDouble;
let double: StashDouble;

interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
  upstreamPerformers: { endpoints: { examined: number; created: number; error: { code: string } | null }[] } | null;
}
const jobFields = 'id status progress { done total } upstreamPerformers { endpoints { examined created error { code } } }';

async function open(): Promise<{ app: App; server: Awaited<ReturnType<typeof startTestServer>> }> {
  const { app } = await openTestApp(dataDir, { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', STASHBOX_REQUESTS_PER_MINUTE: '6000' }, { runJobs: true });
  return { app, server: await startTestServer(app) };
}

async function job(server: Awaited<ReturnType<typeof startTestServer>>, id: string): Promise<JobView> {
  const { data } = await server.graphql<{ job: JobView }>(`query($id: ID!) { job(id: $id) { ${jobFields} } }`, { id });
  return data!.job;
}

async function until(server: Awaited<ReturnType<typeof startTestServer>>, id: string, done: (job: JobView) => boolean): Promise<JobView> {
  for (;;) {
    const current = await job(server, id);
    if (done(current)) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const fetchesOf = (stashId: string) => box.requests.filter((r) => r.operationName === 'FindStashBoxPerformer' && r.variables.id === stashId).length;

beforeAll(async () => {
  box = await createStashBoxDouble({ performers: ids.map((id, index) => ({ id, name: `Performer ${index + 1}`, hair_color: 'RED' })) });
  double = await createStashDouble({
    stashBoxes: [{ endpoint: box.endpoint, api_key: box.apiKey, name: 'Box', max_requests_per_minute: 6000 }],
    performers: ids.map((id, index) => ({ id: String(index + 1), name: `Performer ${index + 1}`, stashIds: [{ endpoint: box.endpoint, stashId: id }], fields: { hair_color: 'Black' } })),
  });
});

afterAll(async () => {
  await double?.close();
  await box?.close();
  temp.remove();
});

describe('the upstream analysis job', () => {
  it('stops on cancel between performers', async () => {
    const { app, server } = await open();
    try {
      box.setDelay(400);
      const { data } = await server.graphql<{ analyzeUpstreamPerformers: JobView }>(`mutation { analyzeUpstreamPerformers { ${jobFields} } }`);
      const id = data!.analyzeUpstreamPerformers.id;
      await until(server, id, (j) => j.progress.done >= 1);
      await server.graphql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id });
      const ended = await until(server, id, (j) => !['QUEUED', 'RUNNING'].includes(j.status));
      expect(ended.status).toBe('CANCELLED');
      expect(ended.progress.done).toBeLessThan(4);
    } finally {
      box.setDelay(0);
      await server.close();
      await app.close();
    }
  });

  it('resumes after a restart where it stopped, asking the stash-box again only for what it had not finished', async () => {
    box.setDelay(400);
    const first = await open();
    const { data } = await first.server.graphql<{ analyzeUpstreamPerformers: JobView }>(`mutation { analyzeUpstreamPerformers(input: { full: true }) { ${jobFields} } }`);
    const id = data!.analyzeUpstreamPerformers.id;
    await until(first.server, id, (j) => j.progress.done >= 2);
    // Closing the app stops the runner mid-job and leaves the job to resume on the next start.
    await first.server.close();
    await first.app.close();
    const fetchedBefore = Object.fromEntries(ids.map((stashId) => [stashId, fetchesOf(stashId)]));
    box.setDelay(0);

    const second = await open();
    try {
      const ended = await until(second.server, id, (j) => !['QUEUED', 'RUNNING'].includes(j.status));
      expect(ended.status).toBe('COMPLETED');
      expect(ended.upstreamPerformers!.endpoints[0]).toMatchObject({ examined: 4, error: null });
      const finishedBefore = ids.filter((stashId) => fetchedBefore[stashId]! > 0 && fetchesOf(stashId) === fetchedBefore[stashId]);
      expect(finishedBefore.length).toBeGreaterThanOrEqual(2);
      const { data: recs } = await second.server.graphql<{ recommendations: { totalCount: number } }>('{ recommendations(filter: { type: UPSTREAM_PERFORMER_CHANGES }) { totalCount } }');
      expect(recs!.recommendations.totalCount).toBe(4);
    } finally {
      await second.server.close();
      await second.app.close();
    }
  });
});
