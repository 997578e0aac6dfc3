// Limits on what one GraphQL document may ask for, checked by GraphQL Armor before anything runs: the token
// limit stops parsing early, so a megabyte of aliases costs a parse of its first few thousand tokens.
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Sized from our own clients: the plugin's largest operation (recommendations with their details) and
 * GraphiQL's introspection query stay well inside each; test/graphql/limits.test.ts checks every plugin
 * operation against them.
 */
export const queryLimits = {
  /** Aliases per operation: a client that needs more sends more requests. */
  maxAliases: 15,
  maxDepth: 12,
  maxTokens: 4000,
  maxDirectives: 20,
  maxCost: 20_000,
} as const;

export function queryLimitPlugins(): Plugin[] {
  // Every limit is named in its message (exposeLimits) so a client author sees which one to stay under.
  const coded = { onReject: [refuse] };
  return [
    maxTokensPlugin({ n: queryLimits.maxTokens, ...coded }),
    maxAliasesPlugin({ n: queryLimits.maxAliases, ...coded }),
    maxDepthPlugin({ n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...coded }),
    maxDirectivesPlugin({ n: queryLimits.maxDirectives, ...coded }),
    costLimitPlugin({ maxCost: queryLimits.maxCost, ignoreIntrospection: true, ...coded }),
  ] as Plugin[];
}

/** Armor's rejection, thrown again with a code a client can act on and HTTP 400. */
function refuse(_context: unknown, error: GraphQLError): never {
  const message = error.message.replace(/^Syntax Error: /, '');
  throw new GraphQLError(`The request is too large or complex: ${message}`, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
}
