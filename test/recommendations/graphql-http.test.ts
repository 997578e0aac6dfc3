import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { createRecommendationService, type RecommendationService } from '../../src/recommendations/index.js';
import { openTestApp } from '../helpers/app.js';
import { makeTempDir } from '../helpers/fixtures.js';
import { startTestServer, type GraphQLResult, type TestServer } from '../helpers/server.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';
import { candidate, libraryFixtures, person, saveFixtureIdentifications, stashdb } from './fixtures.js';

const temp = makeTempDir('recs-http-');
let double: StashDouble;
let app: App;
let service: RecommendationService;
let server: TestServer;

beforeAll(async () => {
  double = await createStashDouble(libraryFixtures());
  ({ app } = await openTestApp(join(temp.path, 'data'), { STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' }));
  service = createRecommendationService({ state: app.state, stash: app.stash, logger: silentLogger });
  saveFixtureIdentifications(app.state);
  // The app's own services plus this one, so the test does not depend on how src/app.ts wires it.
  const services = Object.assign({}, app.services, { recommendations: service });
  server = await startTestServer({ ...app, services });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  await double?.close();
  temp.remove();
});

function graphql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  return server.graphql<T>(query, variables);
}

const list = `query List($filter: RecommendationFilter, $first: Int, $after: String) {
  recommendations(filter: $filter, first: $first, after: $after) {
    totalCount
    countsByType { type count }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id type status permanent confidence summary targets { type id }
      details {
        __typename
        ... on DuplicatePerformerDetails { keepPerformerId stashId { endpoint stashId } performers { id name sceneCount } }
        ... on SceneFilesDetails { sceneId keepFileId primaryFileId files { id width height bitRate sizeBytes } }
        ... on DuplicateSceneDetails { sceneIds titles reasons keepSceneId }
        ... on ScenePerformerDetails { sceneId thumbnail candidate { name confidence link { rule stashPerformerId } } }
      } } }
  }
}`;

interface Node {
  id: string;
  type: string;
  status: string;
  permanent: boolean;
  confidence: number;
  summary: string;
  targets: { type: string; id: string }[];
  details: Record<string, unknown> & { __typename: string };
}
interface ListResult {
  recommendations: {
    totalCount: number;
    countsByType: { type: string; count: number }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Node }[];
  };
}

describe('recommendations over GraphQL (HTTP)', () => {
  it('analyses the library and pages through what it found, with counts per type', async () => {
    const analysis = await graphql<{ analyzeLibrary: Record<string, unknown> }>(
      'mutation { analyzeLibrary { created updated unchanged suppressed reopened expired byType { type count } } }',
    );
    expect(analysis.errors).toBeUndefined();
    expect(analysis.data?.analyzeLibrary).toEqual({
      created: 5,
      updated: 0,
      unchanged: 0,
      suppressed: 0,
      reopened: 0,
      expired: 0,
      byType: [
        { type: 'DUPLICATE_PERFORMER', count: 1 },
        { type: 'SCENE_FILES', count: 1 },
        { type: 'DUPLICATE_SCENE', count: 3 },
      ],
    });

    const first = await graphql<ListResult>(list, { filter: { type: 'DUPLICATE_SCENE' }, first: 2 });
    const page = first.data!.recommendations;
    expect(page.totalCount).toBe(3);
    expect(page.countsByType).toEqual([
      { type: 'SCENE_PERFORMER', count: 0 },
      { type: 'DUPLICATE_PERFORMER', count: 1 },
      { type: 'SCENE_FILES', count: 1 },
      { type: 'DUPLICATE_SCENE', count: 3 },
      { type: 'UPSTREAM_PERFORMER_CHANGES', count: 0 },
    ]);
    expect(page.edges).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0]!.node).toMatchObject({ type: 'DUPLICATE_SCENE', status: 'PENDING', confidence: 1, details: { __typename: 'DuplicateSceneDetails', sceneIds: ['20', '21'], keepSceneId: '21' } });
    expect(page.edges[0]!.node.summary).toMatch(/same stash-box scene/);

    const rest = await graphql<ListResult>(list, { filter: { type: 'DUPLICATE_SCENE' }, first: 2, after: page.pageInfo.endCursor });
    expect(rest.data!.recommendations.edges.map((e) => e.node.details.sceneIds)).toEqual([['50', '51']]);
    expect(rest.data!.recommendations.pageInfo.hasNextPage).toBe(false);
    expect(page.edges.map((e) => e.node.details.sceneIds)).toEqual([
      ['20', '21'],
      ['30', '31'],
    ]);

    const performers = await graphql<ListResult>(list, { filter: { type: 'DUPLICATE_PERFORMER', targetId: '2' } });
    expect(performers.data!.recommendations.edges[0]!.node.details).toEqual({
      __typename: 'DuplicatePerformerDetails',
      keepPerformerId: '1',
      stashId: { endpoint: stashdb, stashId: 'aaa' },
      performers: [
        { id: '1', name: 'Alice', sceneCount: 3 },
        { id: '2', name: 'Alice', sceneCount: 1 },
      ],
    });
  });

  it('accepts a duplicate performer by merging it in Stash, and refuses to accept it twice', async () => {
    const found = await graphql<ListResult>(list, { filter: { type: 'DUPLICATE_PERFORMER' } });
    const id = found.data!.recommendations.edges[0]!.node.id;
    const accepted = await graphql<{ acceptRecommendation: { status: string } }>('mutation($id: ID!) { acceptRecommendation(id: $id) { status } }', { id });
    expect(accepted.data?.acceptRecommendation.status).toBe('ACCEPTED');
    expect(double.mutations.filter((m) => m.field === 'performerMerge').map((m) => m.args)).toEqual([
      { input: { source: ['2'], destination: '1', values: { id: '1', alias_list: ['Alice Smith'] } } },
    ]);

    const again = await graphql('mutation($id: ID!) { acceptRecommendation(id: $id) { status } }', { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(double.mutations.filter((m) => m.field === 'performerMerge')).toHaveLength(1);
  });

  it('dismisses for good, and lists dismissed recommendations on request', async () => {
    const found = await graphql<ListResult>(list, { filter: { type: 'SCENE_FILES' } });
    const node = found.data!.recommendations.edges[0]!.node;
    expect(node.details).toMatchObject({ __typename: 'SceneFilesDetails', sceneId: '10', files: [{ width: 1920, height: 1080, bitRate: 6_000_000 }, { width: 1280 }] });

    const dismissed = await graphql<{ dismissRecommendation: { status: string; permanent: boolean } }>(
      'mutation($id: ID!) { dismissRecommendation(id: $id, permanent: true) { status permanent } }',
      { id: node.id },
    );
    expect(dismissed.data?.dismissRecommendation).toEqual({ status: 'DISMISSED', permanent: true });
    const pending = await graphql<ListResult>(list, { filter: { type: 'SCENE_FILES' } });
    expect(pending.data!.recommendations.totalCount).toBe(0);
    const gone = await graphql<ListResult>(list, { filter: { type: 'SCENE_FILES', status: 'DISMISSED' } });
    expect(gone.data!.recommendations.edges.map((e) => e.node.id)).toEqual([node.id]);

    const rerun = await graphql<{ analyzeLibrary: { suppressed: number; created: number } }>('mutation { analyzeLibrary(types: [SCENE_FILES]) { suppressed created } }');
    expect(rerun.data?.analyzeLibrary).toEqual({ suppressed: 1, created: 0 });
  });

  it('shows a scene performer suggestion and answers a user mistake with its error code', async () => {
    const unlinked = candidate('p8', 0.58, null);
    const id = service.recordScenePerformer({ scene: { id: '11', title: 'Single file' }, suggestion: { person: person(0, unlinked), candidate: unlinked }, databaseVersion: 'v1' })!;
    const one = await graphql<{ recommendation: Node }>(
      'query($id: ID!) { recommendation(id: $id) { type summary details { ... on ScenePerformerDetails { sceneId thumbnail candidate { name link { rule stashPerformerId } } } } } }',
      { id },
    );
    expect(one.data?.recommendation).toMatchObject({
      type: 'SCENE_PERFORMER',
      details: { sceneId: '11', thumbnail: 'data:image/jpeg;base64,AAAA', candidate: { name: 'Performer p8', link: { rule: 'NOT_IN_LIBRARY', stashPerformerId: null } } },
    });
    expect(one.data?.recommendation.summary).toMatch(/not in your Stash library/);

    const mutations = double.mutations.length;
    const notInLibrary = await graphql('mutation($id: ID!) { acceptRecommendation(id: $id) { status } }', { id });
    expect(notInLibrary.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_INPUT' }, message: expect.stringMatching(/create the performer in Stash/) });
    expect(double.mutations).toHaveLength(mutations);

    expect((await graphql('mutation { acceptRecommendation(id: "999") { status } }')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await graphql('{ recommendation(id: "999") { id } }')).data).toEqual({ recommendation: null });
    expect((await graphql('mutation { analyzeLibrary(types: [SCENE_PERFORMER]) { created } }')).errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
    expect((await graphql(list, { after: 'not-a-cursor' })).errors?.[0]?.extensions?.code).toBe('BAD_INPUT');
  });
});
