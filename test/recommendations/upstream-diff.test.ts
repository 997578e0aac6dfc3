import { describe, expect, it } from 'vitest';
import { chooseFieldValues, diffPerformerFields } from '../../src/recommendations/upstream-diff.js';
import { PERFORMER_FIELDS, type FieldValues } from '../../src/stashbox/index.js';

function values(partial: Partial<FieldValues>): FieldValues {
  return { ...(Object.fromEntries(PERFORMER_FIELDS.map((f) => [f, []])) as unknown as FieldValues), ...partial };
}

describe('diffPerformerFields', () => {
  const local = values({ name: ['Ada'], hair_color: ['brunette'], aliases: ['A', 'b'], measurements: ['34C - 24 - 35'] });

  it('ignores case, spacing, alias order and empty values', () => {
    const upstream = values({ name: ['ADA'], hair_color: ['Brunette'], aliases: ['B', 'a'], measurements: ['34c-24-35'], country: [] });
    expect(diffPerformerFields(local, upstream, null, PERFORMER_FIELDS)).toEqual([]);
  });

  it('flags every difference before a baseline exists, and only watched fields', () => {
    const upstream = values({ name: ['Ada'], hair_color: ['Blonde'], aliases: ['A', 'b', 'c'], measurements: ['34C-24-35'] });
    expect(diffPerformerFields(local, upstream, null, PERFORMER_FIELDS).map((c) => c.field)).toEqual(['aliases', 'hair_color']);
    expect(diffPerformerFields(local, upstream, null, ['name', 'hair_color']).map((c) => c.field)).toEqual(['hair_color']);
  });

  it('leaves a difference the user settled with until upstream moves', () => {
    const upstream = values({ name: ['Ada'], hair_color: ['Blonde'], aliases: ['A', 'b'], measurements: ['34C-24-35'] });
    expect(diffPerformerFields(local, upstream, { hair_color: ['Blonde'] }, PERFORMER_FIELDS)).toEqual([]);
    const moved = values({ ...upstream, hair_color: ['Red'] });
    expect(diffPerformerFields(local, moved, { hair_color: ['Blonde'] }, PERFORMER_FIELDS)).toEqual([
      { field: 'hair_color', local: ['brunette'], upstream: ['Red'], previousUpstream: ['Blonde'] },
    ]);
  });
});

describe('chooseFieldValues', () => {
  const changes = [
    { field: 'hair_color' as const, local: ['Brunette'], upstream: ['Blonde'], previousUpstream: null },
    { field: 'aliases' as const, local: ['A'], upstream: ['A', 'B'], previousUpstream: null },
  ];

  it('takes upstream for every change without choices', () => {
    expect(chooseFieldValues(changes, undefined)).toEqual({ values: { hair_color: ['Blonde'], aliases: ['A', 'B'] }, unknown: [] });
  });

  it('leaves local fields out, writes given values, and names fields that are not among the changes', () => {
    expect(
      chooseFieldValues(changes, [
        { field: 'hair_color', use: 'local' },
        { field: 'aliases', use: 'value', value: ['A', 'C'] },
        { field: 'country', use: 'upstream' },
      ]),
    ).toEqual({ values: { aliases: ['A', 'C'] }, unknown: ['country'] });
  });
});
