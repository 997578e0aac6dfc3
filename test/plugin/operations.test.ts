// The plugin's GraphQL documents against the schemas they are sent to: a schema change that would break the
// plugin in someone's browser fails here.
import { buildASTSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../../plugin-bridge/src/operations.js';
import * as stashBoxOperations from '../../plugin-bridge/src/stashbox-operations.js';
import { typeDefs } from '../../src/graphql/typeDefs.generated.js';
import { buildStashSchema } from '../stash-double/index.js';

const sidecarSchema = buildASTSchema(typeDefs);
const documents = Object.entries({ ...operations, ...stashBoxOperations }).flatMap(([name, value]) =>
  typeof value === 'object' && value !== null && 'document' in value && typeof value.document === 'string' ? [[name, value.document] as const] : [],
);

describe('the plugin’s operations', () => {
  it('cover identify, tag-back, recommendations, jobs and health', () => {
    expect(documents.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'healthQuery',
        'identifySceneMutation',
        'identifyImageMutation',
        'identifyGalleryMutation',
        'applyScenePerformersMutation',
        'recommendationsQuery',
        'startTagBackMutation',
        'jobProgressSubscription',
        'createPerformerFromStashBoxMutation',
        'linkPerformerToStashBoxMutation',
        'searchStashPerformersQuery',
        'upstreamRecommendationsQuery',
        'acceptUpstreamChangesMutation',
        'analyzeUpstreamPerformersMutation',
      ]),
    );
  });

  it.each(documents)('%s is valid against the sidecar’s schema', (_name, document) => {
    expect(validate(sidecarSchema, parse(document)).map((error) => error.message)).toEqual([]);
  });

  it('reads the plugin settings with a query Stash’s own schema accepts', () => {
    expect(validate(buildStashSchema(), parse(operations.pluginSettingsQuery)).map((error) => error.message)).toEqual([]);
  });
});
