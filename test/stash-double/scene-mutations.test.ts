import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStashDouble, type StashDouble } from './index.js';

let double: StashDouble;

beforeEach(async () => {
  double = await createStashDouble({
    apiKey: null,
    performers: [
      { id: '1', name: 'Ada' },
      { id: '2', name: 'Bob' },
    ],
    scenes: [
      { id: '1', title: 'Keep', performerIds: ['1'], files: [{ duration: 10, width: 640, height: 360 }] },
      { id: '2', title: 'Other', performerIds: ['2'], files: [{ duration: 10, width: 1920, height: 1080 }, { duration: 10, width: 1280, height: 720 }] },
    ],
  });
});

afterEach(async () => {
  await double.close();
});

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${double.url}/graphql`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

describe('Stash double scene updates and merges', () => {
  it('moves the chosen file to primary, and refuses a file of another scene', async () => {
    const [first, second] = double.store.scenes.get('2')!.files;
    const moved = await graphql('mutation($id: ID!, $file: ID!) { sceneUpdate(input: { id: $id, primary_file_id: $file }) { files { id } } }', { id: '2', file: second!.id });
    expect(moved.data).toEqual({ sceneUpdate: { files: [{ id: second!.id }, { id: first!.id }] } });

    const foreign = double.store.scenes.get('1')!.files[0]!.id;
    const refused = await graphql('mutation($file: ID!) { sceneUpdate(input: { id: "2", primary_file_id: $file }) { id } }', { file: foreign });
    expect(refused.errors?.[0]?.message).toBe(`file with id ${foreign} not associated with scene`);
    expect(double.store.scenes.get('2')!.files.map((f) => f.id)).toEqual([second!.id, first!.id]);
  });

  it('merges as Stash does: files move, values apply, the source goes', async () => {
    const sourceFiles = double.store.scenes.get('2')!.files.map((f) => f.id);
    const merged = await graphql(
      'mutation { sceneMerge(input: { source: ["2"], destination: "1", values: { id: "1", performer_ids: ["1", "2"] } }) { id performers { id } files { id } } }',
    );
    expect(merged.data?.sceneMerge).toMatchObject({ id: '1', performers: [{ id: '1' }, { id: '2' }] });
    expect(double.store.scenes.get('1')!.files.slice(1).map((f) => f.id)).toEqual(sourceFiles);
    expect(double.store.scenes.has('2')).toBe(false);
  });

  it('refuses a merge into one of its sources or with bad values, changing nothing', async () => {
    const intoSource = await graphql('mutation { sceneMerge(input: { source: ["1", "2"], destination: "1" }) { id } }');
    expect(intoSource.errors?.[0]?.message).toBe('destination scene cannot be in source list');
    const badValues = await graphql('mutation { sceneMerge(input: { source: ["2"], destination: "1", values: { id: "1", performer_ids: ["99"] } }) { id } }');
    expect(badValues.errors?.[0]?.message).toMatch(/performer with id 99 not found/);
    expect(double.store.scenes.has('2')).toBe(true);
    expect(double.store.scenes.get('1')!.files).toHaveLength(1);
    expect(double.store.scenes.get('1')!.performerIds).toEqual(['1']);
  });
});
