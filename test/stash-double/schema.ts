import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** Stash's own SDL, beside the project (never copied into it). */
export const stashSchemaDir = path.resolve(process.cwd(), '../shared/stash-schema');

let cachedSdl: string | undefined;

/** Every `.graphql` file of Stash's schema, joined (schema.graphql and types/*.graphql). */
export function loadStashSdl(): string {
  cachedSdl ??= graphqlFiles(stashSchemaDir)
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  return cachedSdl;
}

/** A fresh schema object each call: the double attaches its resolvers to the one it gets. */
export function buildStashSchema(): GraphQLSchema {
  return buildSchema(loadStashSdl());
}

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return graphqlFiles(full);
      return name.endsWith('.graphql') ? [full] : [];
    });
}
