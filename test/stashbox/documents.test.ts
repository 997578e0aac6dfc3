import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { buildStashBoxSchema } from '../stashbox-double/index.js';

const documentsDir = path.resolve(process.cwd(), 'schema/stash-box');
const documentFiles = readdirSync(documentsDir).filter((name) => name.endsWith('.graphql')).sort();
const generatedFile = 'src/stashbox/generated/graphql.ts';

describe('operations sent to a stash-box (schema/stash-box)', () => {
  const schema = buildStashBoxSchema();

  it('has documents to check', () => {
    expect(documentFiles.length).toBeGreaterThan(0);
  });

  it.each(documentFiles)("%s validates against stash-box's real schema", (name) => {
    const errors = validate(schema, parse(readFileSync(path.join(documentsDir, name), 'utf8')));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('only reads: the sidecar never changes a stash-box', () => {
    const operations = documentFiles.flatMap((name) =>
      parse(readFileSync(path.join(documentsDir, name), 'utf8')).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.operation] : [])),
    );
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.filter((operation) => operation !== 'query')).toEqual([]);
  });

  it('rejects an operation stash-box would refuse (the check can fail)', () => {
    const errors = validate(schema, parse('query Bad { findPerformer(id: "1") { id hairColour } }'));
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('generated stash-box client (src/stashbox/generated)', () => {
  it("is what codegen produces from schema/stash-box and stash-box's schema today", async () => {
    const target = codegenConfig.generates[generatedFile];
    if (!target || Array.isArray(target) || typeof target !== 'object') throw new Error(`codegen.ts has no '${generatedFile}' target`);
    const files = (await generate(
      { ...codegenConfig, generates: { [generatedFile]: { ...target, schema: '../shared/stash-box-schema/**/*.graphql' } }, silent: true },
      false,
    )) as { filename: string; content: string }[];
    expect(files.map((f) => f.filename)).toEqual([generatedFile]);
    const committed = readFileSync(path.resolve(process.cwd(), generatedFile), 'utf8');
    // A mismatch means schema/stash-box changed without `npm run codegen` (or the generated file was edited).
    expect(committed === files[0]?.content).toBe(true);
    expect(committed.split('\n')[0]).toMatch(/generated .* do not edit/);
  });
});
