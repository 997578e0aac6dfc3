// A small Stash library with planted duplicates and near misses, and the identifications that go with it.
import type { LinkedCandidate, ScenePerson } from '../../src/identify/index.js';
import type { StateDatabase } from '../../src/state/index.js';
import type { SceneFixture, StashDoubleOptions } from '../stash-double/index.js';

export const stashdb = 'https://stashdb.org/graphql';

const hd = { width: 1920, height: 1080, bitRate: 6_000_000 };
const sd = { width: 1280, height: 720, bitRate: 3_000_000 };

function one(duration: number, quality = hd): NonNullable<SceneFixture['files']> {
  return [{ duration, ...quality, size: Math.round(duration * quality.bitRate / 8) }];
}

/**
 * Planted: performers 1 and 2 (same stash-box performer); scene 10 (two files, the better one not primary);
 * scenes 20/21 (same stash-box scene), 30/31 (same faces, same length and studio), 50/51 (same performers tagged,
 * same length). Near misses: performers 3 and 4 (same name, different stash-box ids); scene 11 (one file);
 * 40/41 (same length and studio, different people); 60/61/62 (the people of 30/31 in longer scenes of other
 * lengths); 70/71 (same faces and length, but different stash-box scenes).
 */
export function libraryFixtures(): StashDoubleOptions {
  return {
    studios: [
      { id: '1', name: 'Sunrise' },
      { id: '2', name: 'Harbour' },
      { id: '3', name: 'Meadow' },
    ],
    performers: [
      { id: '1', name: 'Alice', stashIds: [{ endpoint: stashdb, stashId: 'aaa' }] },
      { id: '2', name: 'Alice', aliases: ['Alice Smith'], stashIds: [{ endpoint: stashdb, stashId: 'aaa' }] },
      { id: '3', name: 'Bella', stashIds: [{ endpoint: stashdb, stashId: 'bbb-1' }] },
      { id: '4', name: 'Bella', stashIds: [{ endpoint: stashdb, stashId: 'bbb-2' }] },
      { id: '5', name: 'Dana' },
    ],
    scenes: [
      {
        id: '10',
        title: 'Sunset Beach',
        performerIds: ['1'],
        files: [
          { duration: 600, ...sd, size: 200_000_000 },
          { duration: 600, ...hd, size: 450_000_000 },
        ],
      },
      { id: '11', title: 'Single file', performerIds: ['2'], files: one(700) },
      { id: '20', title: 'Stash-box scene', files: one(800, sd), stashIds: [{ endpoint: stashdb, stashId: 'scene-1' }] },
      { id: '21', title: 'Stash-box scene (4K)', files: one(805, hd), stashIds: [{ endpoint: stashdb, stashId: 'scene-1' }], performerIds: ['3'] },
      { id: '30', title: 'Morning Session', studioId: '2', files: one(1200) },
      { id: '31', title: 'morning_session_1080p.mp4', studioId: '2', files: one(1200.8) },
      { id: '40', title: 'Garden', studioId: '3', performerIds: ['3'], files: one(900) },
      { id: '41', title: 'Pool', studioId: '3', performerIds: ['4'], files: one(900.5) },
      { id: '50', title: 'Studio tour', performerIds: ['1', '3'], files: one(1500) },
      { id: '51', title: 'Behind the scenes', performerIds: ['1', '3'], files: one(1501) },
      { id: '60', title: 'Long day', files: one(1800) },
      { id: '61', title: 'Longer day', files: one(2400) },
      { id: '62', title: 'Long night', files: one(1830) },
      { id: '70', title: 'Twin A', files: one(1000), stashIds: [{ endpoint: stashdb, stashId: 'scene-7a' }] },
      { id: '71', title: 'Twin B', files: one(1000.2), stashIds: [{ endpoint: stashdb, stashId: 'scene-7b' }] },
    ],
  };
}

/** Who each scene's stored identification saw (face-database performers p1…p4). */
const seen: Record<string, string[]> = {
  '30': ['p1', 'p2'],
  '31': ['p1', 'p2'],
  '40': ['p3'],
  '41': ['p4'],
  '60': ['p1', 'p2'],
  '61': ['p1', 'p2'],
  '62': ['p1', 'p2'],
  '70': ['p1'],
  '71': ['p1'],
};

export function saveFixtureIdentifications(state: StateDatabase, databaseVersion = 'v1'): void {
  for (const [sceneId, performers] of Object.entries(seen)) {
    const persons = performers.map((performerId, i) => person(i, candidate(performerId, 0.9, null), 4));
    state.saveIdentification({ kind: 'scene', targetId: sceneId, databaseVersion, result: { sceneId, persons }, createdAt: new Date().toISOString() });
  }
}

export function candidate(performerId: string, confidence: number, stashPerformerId: string | null, stashIds = [{ endpoint: stashdb, stashId: `id-${performerId}` }]): LinkedCandidate {
  return {
    performerId,
    name: `Performer ${performerId}`,
    aliases: [],
    stashIds,
    country: null,
    imageUrl: null,
    distance: 1 - confidence,
    confidence,
    frameCount: 4,
    alreadyTagged: false,
    link: stashPerformerId
      ? { rule: 'STASH_ID', stashPerformerId, stashPerformerName: `Stash ${stashPerformerId}` }
      : { rule: 'NOT_IN_LIBRARY', stashPerformerId: null, stashPerformerName: null },
  };
}

export function person(personId: number, best: LinkedCandidate, frameCount = 4): ScenePerson {
  return { personId, faceCount: frameCount, frameCount, timestamps: [], thumbnail: 'data:image/jpeg;base64,AAAA', status: 'MATCHED', candidates: [best] };
}
