import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, validate, visit, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildStashSchema } from '../stash-double/schema.js';
import { generateStashClient, stashGeneratedFile } from './stash-codegen.js';

const documentsDir = path.resolve(process.cwd(), 'schema/stash');
const documentFiles = readdirSync(documentsDir)
  .filter((name) => name.endsWith('.graphql'))
  .sort();

function load(name: string): DocumentNode {
  return parse(readFileSync(path.join(documentsDir, name), 'utf8'));
}

describe('operations sent to Stash (schema/stash)', () => {
  const schema = buildStashSchema();

  it('has documents to check', () => {
    expect(documentFiles.length).toBeGreaterThan(0);
  });

  it.each(documentFiles)("%s validates against Stash's real schema", (name) => {
    const errors = validate(schema, load(name));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('names every operation, each name once', () => {
    const names = documentFiles.flatMap((name) =>
      load(name).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value ?? `<anonymous in ${name}>`] : [])),
    );
    expect(names.filter((n) => n.startsWith('<anonymous'))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('never sets or removes performers or tags: every bulk update mode is ADD, written in the document', () => {
    const modes: string[] = [];
    for (const name of documentFiles) {
      visit(load(name), {
        ObjectField(node) {
          if (node.name.value === 'mode') modes.push(node.value.kind === Kind.ENUM ? node.value.value : `${node.value.kind} in ${name}`);
        },
        VariableDefinition(node) {
          const type = JSON.stringify(node.type);
          if (type.includes('BulkUpdateIds') || type.includes('BulkUpdateIdMode') || /Bulk\w+UpdateInput/.test(type)) {
            modes.push(`variable $${node.variable.name.value} in ${name}`);
          }
        },
      });
    }
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.filter((mode) => mode !== 'ADD')).toEqual([]);
  });
});

describe('generated Stash client (src/stash/generated)', () => {
  it('is what codegen produces from schema/stash and Stash\'s schema today', async () => {
    const files = await generateStashClient();
    expect(files.map((f) => f.filename)).toEqual([stashGeneratedFile]);
    const committed = readFileSync(path.resolve(process.cwd(), stashGeneratedFile), 'utf8');
    // A mismatch means schema/stash changed without `npm run codegen` (or the generated file was edited).
    expect(committed === files[0]?.content).toBe(true);
  });

  it('starts with the do-not-edit line', () => {
    const committed = readFileSync(path.resolve(process.cwd(), stashGeneratedFile), 'utf8');
    expect(committed.split('\n')[0]).toMatch(/generated .* do not edit/);
  });
});
