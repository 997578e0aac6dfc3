import { describe, expect, it } from 'vitest';
import { distanceToConfidence, rankFaceCandidates } from '../../src/match/index.js';

const options = { maxDistance: 0.5, topK: 3, confidence: ({ distance }: { distance: number }) => distanceToConfidence(distance, 0.5) };

describe('rankFaceCandidates', () => {
  it('keeps each performer once, at its closest face, best first', () => {
    const ranked = rankFaceCandidates(
      {
        embedded: [
          { faceId: 1, performerId: 'a', distance: 0.3 },
          { faceId: 2, performerId: 'b', distance: 0.2 },
          { faceId: 3, performerId: 'a', distance: 0.1 },
        ],
      },
      options,
    );
    expect(ranked.map((candidate) => [candidate.performerId, candidate.distance])).toEqual([
      ['a', 0.1],
      ['b', 0.2],
    ]);
  });

  it('drops performers beyond maxDistance and cuts to topK', () => {
    const hits = [0.05, 0.1, 0.2, 0.3, 0.6].map((distance, i) => ({ faceId: i, performerId: `p${i}`, distance }));
    const ranked = rankFaceCandidates({ embedded: hits }, options);
    expect(ranked.map((candidate) => candidate.performerId)).toEqual(['p0', 'p1', 'p2']);
    expect(rankFaceCandidates({ embedded: hits }, { ...options, topK: 10 }).map((c) => c.performerId)).not.toContain('p4');
  });

  it('fuses two models and charges 0.5 for a side missing from one model', () => {
    const ranked = rankFaceCandidates(
      {
        facenet: [
          { faceId: 1, performerId: 'both', distance: 0.3 },
          { faceId: 2, performerId: 'one', distance: 0.04 },
        ],
        arcface: [{ faceId: 1, performerId: 'both', distance: 0.3 }],
      },
      { ...options, maxDistance: 1 },
    );
    expect(ranked[0]).toMatchObject({ performerId: 'one', distance: 0.27, modelDistances: { facenet: 0.04 } });
    expect(ranked[1]).toMatchObject({ performerId: 'both', distance: 0.3 });
  });

  it('gives each candidate its margin to the nearest other performer', () => {
    const hits = [0.1, 0.25, 0.4].map((distance, i) => ({ faceId: i, performerId: `p${i}`, distance }));
    const ranked = rankFaceCandidates({ embedded: hits }, options);
    expect(ranked.map((candidate) => candidate.margin)).toEqual([0.15, 0.1 - 0.25, 0.1 - 0.4].map((m) => expect.closeTo(m, 9)));
    expect(rankFaceCandidates({ embedded: hits.slice(0, 1) }, options)[0]!.margin).toBe(Infinity);
  });

  it('returns nobody for a face with no hits', () => {
    expect(rankFaceCandidates({ embedded: [] }, options)).toEqual([]);
  });
});

describe('distanceToConfidence', () => {
  it('reads 1 for identical faces, 0.5 at the threshold and 0 at twice it', () => {
    expect(distanceToConfidence(0, 0.4)).toBe(1);
    expect(distanceToConfidence(0.4, 0.4)).toBeCloseTo(0.5);
    expect(distanceToConfidence(0.8, 0.4)).toBe(0);
    expect(distanceToConfidence(1.5, 0.4)).toBe(0);
  });
});
