import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { sharedDir } from '../helpers/fixtures.js';

/** stash-box's published schema, read from beside the project (never copied into it). */
export const stashBoxSchemaDir = path.join(sharedDir, 'stash-box-schema');

export function loadStashBoxSdl(): string {
  const types = readdirSync(path.join(stashBoxSchemaDir, 'types'))
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(path.join(stashBoxSchemaDir, 'types', name), 'utf8'));
  return [readFileSync(path.join(stashBoxSchemaDir, 'schema.graphql'), 'utf8'), ...types].join('\n');
}

export function buildStashBoxSchema(): GraphQLSchema {
  return buildSchema(loadStashBoxSdl());
}
