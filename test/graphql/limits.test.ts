// The query limits must never refuse our own clients: every operation the plugin sends, and GraphiQL's
// introspection, pass the same GraphQL Armor rules the server runs.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { buildASTSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../../plugin-bridge/src/operations.js';
import { queryLimits } from '../../src/graphql/index.js';
import { typeDefs } from '../../src/graphql/typeDefs.generated.js';

const schema = buildASTSchema(typeDefs);
const rules = [
  maxAliasesRule({ n: queryLimits.maxAliases }),
  maxDepthRule({ n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
  maxDirectivesRule({ n: queryLimits.maxDirectives }),
  costLimitRule({ maxCost: queryLimits.maxCost, ignoreIntrospection: true }),
];
const documents = Object.entries(operations).flatMap(([name, value]) =>
  typeof value === 'object' && value !== null && 'document' in value && typeof value.document === 'string' ? [[name, value.document] as const] : [],
);

describe('query limits', () => {
  it.each(documents)('let the plugin’s %s through', (_name, document) => {
    expect(validate(schema, parse(document, { maxTokens: queryLimits.maxTokens }), rules).map((error) => error.message)).toEqual([]);
  });

  it('let GraphiQL’s introspection through', () => {
    expect(validate(schema, parse(getIntrospectionQuery(), { maxTokens: queryLimits.maxTokens }), rules).map((error) => error.message)).toEqual([]);
  });

  it('refuse a document nested deeper than the limit (so the check above can fail)', () => {
    const deep = parse(`{ recommendations { edges { node { details { ... on DuplicatePerformerDetails { performers { id } } } } } } }`);
    expect(() => validate(schema, deep, [maxDepthRule({ n: 3, flattenFragments: true })])).toThrow(/depth limit of 3 exceeded/);
  });
});
