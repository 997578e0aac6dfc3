// Limits on what one GraphQL document may ask for, checked by GraphQL Armor before anything runs: the token
// limit stops parsing early, so a megabyte of aliases costs a parse of its first few thousand tokens.
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
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
  return [
    maxTokensPlugin({ n: queryLimits.maxTokens }),
    maxAliasesPlugin({ n: queryLimits.maxAliases }),
    maxDepthPlugin({ n: queryLimits.maxDepth, ignoreIntrospection: true, flattenFragments: true }),
    maxDirectivesPlugin({ n: queryLimits.maxDirectives }),
    costLimitPlugin({ maxCost: queryLimits.maxCost, ignoreIntrospection: true }),
  ] as Plugin[];
}
