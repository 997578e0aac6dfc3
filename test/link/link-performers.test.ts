import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseLink, createPerformerLinker, notInLibrary, type LinkablePerformer } from '../../src/link/index.js';
import { createRecordingLogger } from '../../src/logger.js';
import { createStashClient, type StashPerformer } from '../../src/stash/index.js';
import { createStashDouble, type StashDouble } from '../stash-double/index.js';

const stashdb = 'https://stashdb.org/graphql';

function local(id: string, name: string, aliases: string[] = []): StashPerformer {
  return { id, name, disambiguation: null, aliases, gender: null, country: null, imageUrl: null, sceneCount: 0, stashIds: [] };
}

function match(name: string, aliases: string[] = [], stashId?: string): LinkablePerformer {
  return { id: `db-${name}`, name, aliases, stashIds: stashId ? [{ endpoint: stashdb, stashId }] : [] };
}

describe('chooseLink', () => {
  it('prefers a shared stash-box id over a name', () => {
    expect(chooseLink(match('Ada'), [local('7', 'Someone Else')], [local('3', 'Ada')])).toEqual({ rule: 'STASH_ID', stashPerformerId: '7', stashPerformerName: 'Someone Else' });
  });

  it('matches a name ignoring case and spacing, then an alias, lowest id first', () => {
    expect(chooseLink(match('ada  LOVELACE'), [], [local('9', 'Ada Lovelace'), local('4', 'ada lovelace')])).toMatchObject({ rule: 'NAME', stashPerformerId: '4' });
    expect(chooseLink(match('Ada'), [], [local('5', 'Countess', ['ada'])])).toMatchObject({ rule: 'ALIAS', stashPerformerId: '5' });
  });

  it('says not in library when nothing matches', () => {
    expect(chooseLink(match('Grace'), [], [local('1', 'Ada')])).toBe(notInLibrary);
  });
});

describe('createPerformerLinker against the Stash double', () => {
  let double: StashDouble;
  beforeEach(async () => {
    double = await createStashDouble({
      performers: [
        { id: '1', name: 'Ada Lovelace', stashIds: [{ endpoint: stashdb, stashId: 'uuid-ada' }] },
        { id: '2', name: 'Grace Hopper', aliases: ['Amazing Grace'] },
      ],
    });
  });
  afterEach(async () => {
    await double.close();
  });

  it('links by stash-box id, by alias, or not at all, asking Stash once per performer', async () => {
    const linker = createPerformerLinker(createStashClient({ url: double.url, apiKey: double.apiKey }, createRecordingLogger()));
    const performers = [match('Renamed Ada', [], 'uuid-ada'), match('Amazing Grace'), match('Nobody Here')];
    const links = await linker.link(performers);
    expect(links.get('db-Renamed Ada')).toMatchObject({ rule: 'STASH_ID', stashPerformerId: '1' });
    expect(links.get('db-Amazing Grace')).toMatchObject({ rule: 'ALIAS', stashPerformerId: '2' });
    expect(links.get('db-Nobody Here')).toBe(notInLibrary);
    const asked = double.requests.length;
    await linker.link(performers);
    expect(double.requests.length).toBe(asked);
  });
});
