import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/fixtures.js';
import { startStashSidecar, type StashSidecar } from '../helpers/stash-sidecar.js';
import type { StashDouble } from '../stash-double/index.js';
import { createStashBoxDouble, type StashBoxDouble } from '../stashbox-double/index.js';

const temp = makeTempDir('upstream-');
let boxA: StashBoxDouble;
let boxB: StashBoxDouble;
let double: StashDouble;
let sidecar: StashSidecar;

interface EndpointSummary {
  endpoint: string;
  performers: number;
  examined: number;
  skipped: number;
  created: number;
  updated: number;
  reopened: number;
  suppressed: number;
  resolved: number;
  gone: number;
  error: { code: string; message: string } | null;
}
interface JobView {
  id: string;
  status: string;
  progress: { done: number; total: number | null };
  error: { code: string; message: string } | null;
  upstreamPerformers: { full: boolean; endpoints: EndpointSummary[] } | null;
}
interface Change {
  field: string;
  label: string;
  list: boolean;
  local: string[];
  upstream: string[];
  previousUpstream: string[] | null;
}
interface UpstreamRec {
  id: string;
  status: string;
  permanent: boolean;
  summary: string;
  targets: { type: string; id: string }[];
  details: { status: string; performerId: string; stashId: string; endpoint: string; mergedIntoId: string | null; upstreamUrl: string; changes: Change[] };
}

const jobFields = `id status progress { done total } error { code message }
  upstreamPerformers { full endpoints { endpoint performers examined skipped created updated reopened suppressed resolved gone error { code message } } }`;

async function runAnalysis(input: Record<string, unknown> = {}): Promise<JobView> {
  const started = await sidecar.server.graphql<{ analyzeUpstreamPerformers: JobView }>(
    `mutation($input: UpstreamAnalysisInput) { analyzeUpstreamPerformers(input: $input) { ${jobFields} } }`,
    { input },
  );
  expect(started.errors).toBeUndefined();
  for (;;) {
    const { data } = await sidecar.server.graphql<{ job: JobView }>(`query($id: ID!) { job(id: $id) { ${jobFields} } }`, { id: started.data!.analyzeUpstreamPerformers.id });
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(data!.job.status)) return data!.job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function upstreamRecs(status = 'PENDING'): Promise<UpstreamRec[]> {
  const { data, errors } = await sidecar.server.graphql<{ recommendations: { edges: { node: UpstreamRec }[] } }>(
    `query($filter: RecommendationFilter) { recommendations(filter: $filter, first: 100) { edges { node { id status permanent summary targets { type id }
      details { ... on UpstreamPerformerDetails { status performerId stashId endpoint mergedIntoId upstreamUrl changes { field label list local upstream previousUpstream } } } } } } }`,
    { filter: { type: 'UPSTREAM_PERFORMER_CHANGES', status } },
  );
  expect(errors).toBeUndefined();
  return data!.recommendations.edges.map((edge) => edge.node);
}

const recFor = async (performerId: string, status = 'PENDING') => (await upstreamRecs(status)).find((rec) => rec.details.performerId === performerId);
const summaryOf = (job: JobView, box: StashBoxDouble) => job.upstreamPerformers!.endpoints.find((e) => e.endpoint === box.endpoint)!;

beforeAll(async () => {
  boxA = await createStashBoxDouble({
    performers: [
      { id: 'uuid-ada', name: 'Ada Lovelace', aliases: ['Ada', 'Countess Lovelace'], hair_color: 'BLONDE', band_size: 34, cup_size: 'D', waist_size: 25, hip_size: 35, height: 170, country: 'GB' },
      { id: 'uuid-grace', name: 'Grace Hopper', aliases: ['Amazing Grace'], eye_color: 'BLUE', height: 168 },
      { id: 'uuid-gone', name: 'Merged Away', merged_into_id: 'uuid-grace' },
    ],
  });
  boxB = await createStashBoxDouble({ performers: [{ id: 'uuid-hedy', name: 'Hedy Lamarr', hair_color: 'BLACK' }] });
  sidecar = await startStashSidecar(temp.path, {
    enroll: false,
    app: { runJobs: true },
    env: { STASHBOX_REQUESTS_PER_MINUTE: '6000', STASHBOX_RETRIES: '1' },
    stash: {
      stashBoxes: [
        { endpoint: boxA.endpoint, api_key: boxA.apiKey, name: 'Box A', max_requests_per_minute: 6000 },
        { endpoint: boxB.endpoint, api_key: boxB.apiKey, name: 'Box B', max_requests_per_minute: 6000 },
      ],
      performers: [
        { id: '1', name: 'Ada Lovelace', aliases: ['Ada'], country: 'GB', stashIds: [{ endpoint: boxA.endpoint, stashId: 'uuid-ada' }], fields: { hair_color: 'Brunette', measurements: '34C-24-35', height_cm: 170 } },
        { id: '2', name: 'Grace Hopper', aliases: ['Amazing Grace'], stashIds: [{ endpoint: boxA.endpoint, stashId: 'uuid-grace' }], fields: { eye_color: 'Blue', height_cm: 168 } },
        { id: '3', name: 'Merged Away', stashIds: [{ endpoint: boxA.endpoint, stashId: 'uuid-gone' }] },
        { id: '4', name: 'Hedy Lamarr', stashIds: [{ endpoint: boxB.endpoint, stashId: 'uuid-hedy' }], fields: { hair_color: 'Brunette' } },
        { id: '5', name: 'Not Linked' },
      ],
    },
  });
  double = sidecar.double;
});

afterAll(async () => {
  await sidecar?.close();
  await boxA?.close();
  await boxB?.close();
  temp.remove();
});

describe('upstream performer changes', () => {
  it('lists the stash-boxes from Stash without keys, watching every field by default', async () => {
    const { data, errors } = await sidecar.server.graphql<{ stashBoxes: { endpoint: string; name: string; watchedFields: string[] }[] }>('{ stashBoxes { endpoint name watchedFields } }');
    expect(errors).toBeUndefined();
    expect(data!.stashBoxes.map((b) => b.name)).toEqual(['Box A', 'Box B']);
    expect(data!.stashBoxes[0]!.watchedFields).toContain('HAIR_COLOR');
    expect(JSON.stringify(data)).not.toContain(boxA.apiKey);
  });

  it('gives a performer whose hair colour, aliases and measurements changed one recommendation with exactly those fields', async () => {
    const job = await runAnalysis();
    expect(job.status).toBe('COMPLETED');
    expect(job.progress).toMatchObject({ done: 4, total: 4 });
    expect(summaryOf(job, boxA)).toMatchObject({ performers: 3, examined: 3, created: 2, gone: 1, error: null });
    const ada = (await upstreamRecs()).filter((rec) => rec.details.performerId === '1');
    expect(ada).toHaveLength(1);
    expect(ada[0]!.targets).toEqual([{ type: 'performer', id: '1' }]);
    expect(ada[0]!.details.changes.map((c) => c.field)).toEqual(['ALIASES', 'HAIR_COLOR', 'MEASUREMENTS']);
    expect(ada[0]!.details.changes).toEqual([
      { field: 'ALIASES', label: 'Aliases', list: true, local: ['Ada'], upstream: ['Ada', 'Countess Lovelace'], previousUpstream: null },
      { field: 'HAIR_COLOR', label: 'Hair colour', list: false, local: ['Brunette'], upstream: ['Blonde'], previousUpstream: null },
      { field: 'MEASUREMENTS', label: 'Measurements', list: false, local: ['34C-24-35'], upstream: ['34D-25-35'], previousUpstream: null },
    ]);
    expect(ada[0]!.details.upstreamUrl).toBe(new URL('/performers/uuid-ada', boxA.endpoint).toString());
    expect(await recFor('2')).toBeUndefined();
  });

  it('reports a merged stash-box performer without anything to apply', async () => {
    const merged = await recFor('3');
    expect(merged?.details).toMatchObject({ status: 'MERGED', mergedIntoId: 'uuid-grace', changes: [] });
    const accept = await sidecar.server.graphql('mutation($id: ID!) { acceptRecommendation(id: $id) { status } }', { id: merged!.id });
    expect(accept.errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
    expect(double.mutations.filter((m) => m.field === 'performerUpdate')).toEqual([]);
  });

  it('creates nothing on a rerun without upstream changes, incremental or full', async () => {
    const before = await upstreamRecs();
    const incremental = await runAnalysis();
    expect(summaryOf(incremental, boxA)).toMatchObject({ skipped: 3, examined: 0, created: 0, reopened: 0 });
    const full = await runAnalysis({ full: true });
    expect(full.upstreamPerformers!.full).toBe(true);
    expect(summaryOf(full, boxA)).toMatchObject({ examined: 3, created: 0, updated: 0, reopened: 0 });
    expect((await upstreamRecs()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
  });

  it('applies "upstream" for two fields with one performerUpdate carrying exactly those two', async () => {
    const ada = (await recFor('1'))!;
    const mutationsBefore = double.mutations.length;
    const { data, errors } = await sidecar.server.graphql<{ acceptRecommendation: { status: string } }>(
      'mutation($id: ID!, $fields: [UpstreamFieldChoiceInput!]) { acceptRecommendation(id: $id, fields: $fields) { status } }',
      { id: ada.id, fields: [{ field: 'HAIR_COLOR', use: 'UPSTREAM' }, { field: 'ALIASES', use: 'UPSTREAM' }, { field: 'MEASUREMENTS', use: 'LOCAL' }] },
    );
    expect(errors).toBeUndefined();
    expect(data!.acceptRecommendation.status).toBe('ACCEPTED');
    const sent = double.mutations.slice(mutationsBefore);
    expect(sent.map((m) => m.field)).toEqual(['performerUpdate']);
    expect(sent[0]!.args.input).toEqual({ id: '1', hair_color: 'Blonde', alias_list: ['Ada', 'Countess Lovelace'] });
    const performer = double.store.performers.get('1')!;
    expect(performer).toMatchObject({ hair_color: 'Blonde', alias_list: ['Ada', 'Countess Lovelace'], measurements: '34C-24-35', name: 'Ada Lovelace', country: 'GB' });
  });

  it('does not flag a field kept local again until the stash-box changes it', async () => {
    const rerun = await runAnalysis();
    expect(summaryOf(rerun, boxA)).toMatchObject({ examined: 1, created: 0, reopened: 0 });
    expect(await recFor('1')).toBeUndefined();
    boxA.updatePerformer('uuid-ada', { waist_size: 26 });
    const changed = await runAnalysis();
    expect(summaryOf(changed, boxA)).toMatchObject({ reopened: 1 });
    const ada = (await recFor('1'))!;
    expect(ada.details.changes).toEqual([
      { field: 'MEASUREMENTS', label: 'Measurements', list: false, local: ['34C-24-35'], upstream: ['34D-26-35'], previousUpstream: ['34D-25-35'] },
    ]);
  });

  it('reopens a soft-dismissed recommendation when the stash-box changes again', async () => {
    const ada = (await recFor('1'))!;
    const dismissed = await sidecar.server.graphql<{ dismissRecommendation: { status: string } }>('mutation($id: ID!) { dismissRecommendation(id: $id) { status } }', { id: ada.id });
    expect(dismissed.data!.dismissRecommendation.status).toBe('DISMISSED');
    await runAnalysis({ full: true });
    expect(await recFor('1')).toBeUndefined();
    boxA.updatePerformer('uuid-ada', { hip_size: 36 });
    const reopened = await runAnalysis();
    expect(summaryOf(reopened, boxA)).toMatchObject({ reopened: 1 });
    expect((await recFor('1'))?.id).toBe(ada.id);
  });

  it('never reopens a permanently dismissed recommendation', async () => {
    const ada = (await recFor('1'))!;
    await sidecar.server.graphql('mutation($id: ID!) { dismissRecommendation(id: $id, permanent: true) { status } }', { id: ada.id });
    boxA.updatePerformer('uuid-ada', { hair_color: 'RED', hip_size: 37 });
    const job = await runAnalysis();
    expect(summaryOf(job, boxA)).toMatchObject({ examined: 1, suppressed: 1, reopened: 0, created: 0 });
    expect(await recFor('1')).toBeUndefined();
    expect((await recFor('1', 'DISMISSED'))?.permanent).toBe(true);
  });

  it('fails only the part of a stash-box that is down or refuses its key, with a coded error', async () => {
    boxB.setMode('down');
    boxA.updatePerformer('uuid-grace', { eye_color: 'GREEN' });
    const down = await runAnalysis({ full: true });
    expect(down.status).toBe('COMPLETED');
    expect(summaryOf(down, boxB).error?.code).toBe('STASHBOX_UNAVAILABLE');
    expect(summaryOf(down, boxA)).toMatchObject({ error: null, examined: 3 });
    expect((await recFor('2'))?.details.changes.map((c) => c.field)).toEqual(['EYE_COLOR']);

    boxB.setMode('refuseKey');
    const refused = await runAnalysis({ endpoints: [boxB.endpoint] });
    expect(refused.upstreamPerformers!.endpoints.map((e) => e.endpoint)).toEqual([boxB.endpoint]);
    expect(summaryOf(refused, boxB).error?.code).toBe('STASHBOX_AUTH');
    expect(JSON.stringify(refused)).not.toContain(boxB.apiKey);

    boxB.setMode('up');
    const back = await runAnalysis({ endpoints: [boxB.endpoint] });
    expect(summaryOf(back, boxB)).toMatchObject({ error: null, performers: 1 });
    expect((await recFor('4'))?.details.changes.map((c) => c.field)).toEqual(['HAIR_COLOR']);
  });

  it('watches only the fields chosen for a stash-box', async () => {
    const { data, errors } = await sidecar.server.graphql<{ setUpstreamWatchedFields: { watchedFields: string[] } }>(
      'mutation($endpoint: String!, $fields: [PerformerField!]) { setUpstreamWatchedFields(endpoint: $endpoint, fields: $fields) { watchedFields } }',
      { endpoint: boxB.endpoint, fields: ['NAME', 'COUNTRY'] },
    );
    expect(errors).toBeUndefined();
    expect(data!.setUpstreamWatchedFields.watchedFields).toEqual(['NAME', 'COUNTRY']);
    const job = await runAnalysis({ endpoints: [boxB.endpoint], full: true });
    expect(summaryOf(job, boxB)).toMatchObject({ resolved: 1 });
    expect(await recFor('4')).toBeUndefined();
  });

  it('refuses an endpoint Stash does not have', async () => {
    const { errors } = await sidecar.server.graphql('mutation { analyzeUpstreamPerformers(input: { endpoints: ["https://nowhere.example/graphql"] }) { id } }');
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
