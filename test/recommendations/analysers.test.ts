import { describe, expect, it } from 'vitest';
import { proposeDuplicatePerformers } from '../../src/recommendations/duplicate-performers.js';
import { candidatePairs, proposeDuplicateScenes, scoreScenePair, type FaceFingerprint } from '../../src/recommendations/duplicate-scenes.js';
import { faceFingerprint } from '../../src/recommendations/face-fingerprint.js';
import type { AnalysisFile, AnalysisScene } from '../../src/recommendations/library.js';
import { proposeSceneFiles, rankFiles } from '../../src/recommendations/scene-files.js';
import type { StashPerformer } from '../../src/stash/index.js';

const stashdb = 'https://stashdb.org/graphql';
const fansdb = 'https://fansdb.cc/graphql';

function performer(id: string, name: string, stashIds: [string, string][], sceneCount = 0): StashPerformer {
  return { id, name, disambiguation: null, aliases: [], gender: null, country: null, imageUrl: null, sceneCount, stashIds: stashIds.map(([endpoint, stashId]) => ({ endpoint, stashId })) };
}

let fileId = 100;
function file(durationSec: number, width = 1920, height = 1080, bitRate = 5e6, sizeBytes = 1e9): AnalysisFile {
  fileId += 1;
  return { id: String(fileId), path: `/media/${fileId}.mp4`, sizeBytes, durationSec, width, height, bitRate, videoCodec: 'h264' };
}

function scene(id: string, options: Partial<AnalysisScene> & { duration?: number } = {}): AnalysisScene {
  const { duration, ...rest } = options;
  return {
    id,
    title: null,
    date: null,
    files: duration === undefined ? [] : [file(duration)],
    performers: [],
    tagIds: [],
    galleryIds: [],
    studio: null,
    stashIds: [],
    ...rest,
  };
}

const faces = (...ids: string[]): FaceFingerprint => new Map(ids.map((id) => [id, 1 / ids.length]));

describe('duplicate performers', () => {
  it('groups performers sharing a stash-box id and keeps the one with most scenes', () => {
    const proposals = proposeDuplicatePerformers([
      performer('1', 'Alice', [[stashdb, 'aaa']], 3),
      performer('2', 'Alice', [[stashdb, 'aaa']], 7),
      performer('3', 'Bella', [[stashdb, 'bbb-1']], 2),
      performer('4', 'Bella', [[stashdb, 'bbb-2']], 2),
      performer('5', 'Alice', [[fansdb, 'aaa']], 1),
    ]);
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({
      key: `${stashdb}|aaa`,
      confidence: 1,
      targets: [
        { type: 'performer', id: '2' },
        { type: 'performer', id: '1' },
      ],
      details: { keepPerformerId: '2', stashId: { endpoint: stashdb, stashId: 'aaa' } },
    });
  });

  it('makes one recommendation for performers chained through different stash-box ids', () => {
    const proposals = proposeDuplicatePerformers([
      performer('5', 'Cara', [[fansdb, 'ccc']], 1),
      performer('6', 'Cara B', [
        [fansdb, 'ccc'],
        [stashdb, 'ddd'],
      ]),
      performer('7', 'Cara', [[stashdb, 'ddd']], 4),
    ]);
    expect(proposals).toHaveLength(1);
    expect(proposals[0]!.details.performers.map((p) => p.id)).toEqual(['7', '5', '6']);
    expect(proposals[0]!.details.sharedStashIds).toHaveLength(2);
  });
});

describe('scenes with several files', () => {
  it('keeps the highest resolution, then bit rate, then size', () => {
    const small = file(60, 1280, 720, 9e6, 3e9);
    const big = file(60, 3840, 2160, 2e6, 1e9);
    const sameResLowRate = file(60, 3840, 2160, 1e6, 5e9);
    expect(rankFiles([small, sameResLowRate, big]).map((f) => f.id)).toEqual([big.id, sameResLowRate.id, small.id]);
    const sizeOnly = [file(60, 1920, 1080, 5e6, 1e9), file(60, 1920, 1080, 5e6, 2e9)];
    expect(rankFiles(sizeOnly)[0]!.id).toBe(sizeOnly[1]!.id);
  });

  it('recommends only scenes with more than one file', () => {
    const worse = file(60, 1280, 720);
    const better = file(60, 1920, 1080);
    const proposals = proposeSceneFiles([scene('1', { files: [worse, better] }), scene('2', { duration: 60 }), scene('3')]);
    expect(proposals.map((p) => p.details.sceneId)).toEqual(['1']);
    expect(proposals[0]!.details).toMatchObject({ keepFileId: better.id, primaryFileId: worse.id });
    expect(proposals[0]!.summary).toMatch(/make it the primary file/);
  });
});

describe('duplicate scenes', () => {
  it('gives a shared stash-box scene id 100% and nothing else more than 95%', () => {
    const a = scene('1', { duration: 600, stashIds: [{ endpoint: stashdb, stashId: 's1' }] });
    const b = scene('2', { duration: 900, stashIds: [{ endpoint: stashdb, stashId: 's1' }] });
    expect(scoreScenePair(a, b)?.confidence).toBe(1);

    // Every other signal at once: same faces, same cast, same studio, same title, same length.
    const everything = { duration: 600, title: 'Morning Session', studio: { id: '1', name: 'S' }, performers: [{ id: '1', name: 'A' }] };
    const best = scoreScenePair(scene('3', everything), scene('4', everything), faces('x', 'y'), faces('x', 'y'));
    expect(best?.confidence).toBeGreaterThan(0.9);
    expect(best?.confidence).toBeLessThanOrEqual(0.95);
  });

  it('never pairs scenes that stash-box says are different', () => {
    const a = scene('1', { duration: 600, stashIds: [{ endpoint: stashdb, stashId: 's1' }] });
    const b = scene('2', { duration: 600, stashIds: [{ endpoint: stashdb, stashId: 's2' }] });
    expect(scoreScenePair(a, b, faces('x'), faces('x'))).toBeUndefined();
  });

  it('keeps metadata alone and different-length scenes of the same people below the threshold', () => {
    const studio = { id: '1', name: 'S' };
    const differentPeople = scoreScenePair(scene('1', { duration: 900, studio }), scene('2', { duration: 900.5, studio }), faces('x'), faces('y'));
    expect(differentPeople!.confidence).toBeLessThan(0.6);
    const sameFacesDifferentLength = scoreScenePair(scene('1', { duration: 1800, studio }), scene('2', { duration: 1830, studio }), faces('x'), faces('x'));
    expect(sameFacesDifferentLength!.confidence).toBeLessThan(0.6);
  });

  it('compares scenes that share a block, not every pair', () => {
    const scenes: AnalysisScene[] = [];
    const fingerprints = new Map<string, FaceFingerprint>();
    // 200 scenes of 100 different people, two scenes each, lengths spread out: the duplicates are pairs 2k, 2k+1.
    for (let i = 0; i < 200; i += 1) {
      const person = Math.floor(i / 2);
      scenes.push(scene(String(i + 1), { duration: 600 + person * 7 + (i % 2) * 0.5 }));
      fingerprints.set(String(i + 1), faces(`p${person}`));
    }
    const { pairs } = candidatePairs(scenes, fingerprints, 100);
    expect(pairs).toHaveLength(100);
    const result = proposeDuplicateScenes(scenes, fingerprints);
    expect(result.comparisons).toBe(100);
    expect(result.proposals).toHaveLength(100);
    expect(result.proposals.every((p) => Number(p.details.sceneIds[1]) === Number(p.details.sceneIds[0]) + 1)).toBe(true);
  });

  it('names the pair in id order, so it is one recommendation whichever way round it was found', () => {
    const a = scene('10', { duration: 600, performers: [{ id: '1', name: 'A' }] });
    const b = scene('9', { duration: 600.4, performers: [{ id: '1', name: 'A' }] });
    const { proposals } = proposeDuplicateScenes([a, b], new Map());
    expect(proposals[0]!.details.sceneIds).toEqual(['9', '10']);
    expect(proposals[0]!.targets).toEqual([
      { type: 'scene', id: '9' },
      { type: 'scene', id: '10' },
    ]);
  });
});

describe('face fingerprints', () => {
  it('names performers by stash-box id and weighs them by frames', () => {
    const result = {
      persons: [
        { status: 'MATCHED', frameCount: 3, candidates: [{ performerId: '7', stashIds: [{ endpoint: stashdb, stashId: 'aaa' }], confidence: 0.9 }] },
        { status: 'MATCHED', frameCount: 1, candidates: [{ performerId: '8', stashIds: [], confidence: 0.8 }] },
        { status: 'MATCHED', frameCount: 5, candidates: [{ performerId: '9', stashIds: [], confidence: 0.2 }] },
        { status: 'UNKNOWN', frameCount: 4, candidates: [] },
      ],
    };
    expect(faceFingerprint(result, 'v1')).toEqual(
      new Map([
        [`${stashdb}|aaa`, 0.75],
        ['v1:8', 0.25],
      ]),
    );
    expect(faceFingerprint({ persons: [] }, 'v1')).toBeUndefined();
    expect(faceFingerprint('garbage', 'v1')).toBeUndefined();
  });
});
