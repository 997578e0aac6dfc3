import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { openStateDatabase, type RecommendationInput, type RecommendationType, type StateDatabase } from '../../src/state/index.js';
import { makeTempDir } from '../helpers/fixtures.js';

describe('recommendations', () => {
  let dir: { path: string; remove(): void };
  let state: StateDatabase;
  let clock: number;
  beforeEach(async () => {
    dir = makeTempDir('state-recs-');
    clock = Date.parse('2026-01-01T00:00:00.000Z');
    // Each timestamp is one second after the last, so "seen since" comparisons are exact.
    state = await openStateDatabase(dir.path, silentLogger, { now: () => new Date((clock += 1000)) });
  });
  afterEach(async () => {
    await state.close();
    dir.remove();
  });

  const suggestion = (sceneId: string, performerId: string, evidence: unknown = { db: 'v1' }, confidence = 0.6): RecommendationInput => ({
    type: 'scene_performer',
    targets: [
      { type: 'scene', id: sceneId },
      { type: 'performer', id: performerId },
    ],
    payload: { name: `Performer ${performerId}` },
    confidence,
    evidence,
  });

  it('updates a pending recommendation in place on the next run', () => {
    const created = state.upsertRecommendation(suggestion('1', '7'));
    expect(created.outcome).toBe('created');
    expect(created.recommendation).toMatchObject({ status: 'pending', key: 'scene:1|performer:7', targets: [{ type: 'scene', id: '1' }, { type: 'performer', id: '7' }] });

    expect(state.upsertRecommendation(suggestion('1', '7')).outcome).toBe('unchanged');
    const updated = state.upsertRecommendation(suggestion('1', '7', { db: 'v1' }, 0.7));
    expect(updated).toMatchObject({ outcome: 'updated', recommendation: { id: created.recommendation.id, confidence: 0.7 } });
    expect(state.listRecommendations({}).totalCount).toBe(1);
  });

  it('does not recreate a soft-dismissed recommendation whose evidence is unchanged', () => {
    const { recommendation } = state.upsertRecommendation(suggestion('1', '7'));
    expect(state.dismissRecommendation(recommendation.id)).toMatchObject({ status: 'dismissed', permanent: false });

    const rerun = state.upsertRecommendation({ ...suggestion('1', '7'), payload: { name: 'renamed' }, confidence: 0.9 });
    expect(rerun.outcome).toBe('suppressed');
    expect(rerun.recommendation).toMatchObject({ id: recommendation.id, status: 'dismissed', payload: { name: 'Performer 7' } });
    expect(state.listRecommendations({ status: 'pending' }).totalCount).toBe(0);
  });

  it('brings a soft-dismissed recommendation back when its evidence changed', () => {
    const { recommendation } = state.upsertRecommendation(suggestion('1', '7'));
    state.dismissRecommendation(recommendation.id);

    const rerun = state.upsertRecommendation(suggestion('1', '7', { db: 'v2' }, 0.8));
    expect(rerun.outcome).toBe('reopened');
    expect(rerun.recommendation).toMatchObject({ id: recommendation.id, status: 'pending', confidence: 0.8, resolvedAt: null });
  });

  it('never brings back a permanently dismissed recommendation, whatever its evidence', () => {
    const { recommendation } = state.upsertRecommendation(suggestion('1', '7'));
    state.dismissRecommendation(recommendation.id, { permanent: true });

    for (const evidence of [{ db: 'v1' }, { db: 'v2' }, { db: 'v3', frames: [1, 2] }]) {
      expect(state.upsertRecommendation(suggestion('1', '7', evidence)).outcome).toBe('suppressed');
    }
    expect(state.getRecommendation(recommendation.id)).toMatchObject({ status: 'dismissed', permanent: true });
    expect(state.restoreRecommendation(recommendation.id)).toMatchObject({ status: 'pending', permanent: false });
  });

  it('treats evidence with the same content in another key order as unchanged', () => {
    const { recommendation } = state.upsertRecommendation(suggestion('1', '7', { db: 'v1', performer: '7' }));
    state.dismissRecommendation(recommendation.id);
    expect(state.upsertRecommendation(suggestion('1', '7', { performer: '7', db: 'v1' })).outcome).toBe('suppressed');
  });

  it('records acceptance with what was done, and refuses to dismiss an accepted one', () => {
    const { recommendation } = state.upsertRecommendation(suggestion('1', '7'));
    const accepted = state.acceptRecommendation(recommendation.id, { added: ['7'] });
    expect(accepted).toMatchObject({ status: 'accepted', resolution: { added: ['7'] } });
    expect(accepted?.resolvedAt).not.toBeNull();
    expect(() => state.dismissRecommendation(recommendation.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(state.upsertRecommendation(suggestion('1', '7')).outcome).toBe('suppressed');
    expect(state.acceptRecommendation('999')).toBeUndefined();
    expect(state.getRecommendation('not-an-id')).toBeUndefined();
  });

  it('pages by cursor, highest confidence first, with totals and counts per type', () => {
    const types: RecommendationType[] = ['scene_performer', 'duplicate_performer', 'scene_files', 'duplicate_scene'];
    for (let i = 0; i < 25; i++) {
      const type = types[i % 4]!;
      state.upsertRecommendation({
        type,
        targets: [{ type: type === 'duplicate_performer' ? 'performer' : 'scene', id: String(i) }],
        payload: { i },
        // Ties on purpose: pages must still neither repeat nor skip.
        confidence: Math.round((i % 5) * 20) / 100,
        evidence: { i },
      });
    }
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = state.listRecommendations({}, 10, after);
      pages++;
      expect(page.totalCount).toBe(25);
      expect(page.countsByType).toEqual({ scene_performer: 7, duplicate_performer: 6, scene_files: 6, duplicate_scene: 6, upstream_performer_changes: 0 });
      seen.push(...page.edges.map((edge) => (edge.node.payload as { i: number }).i));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    const confidences = seen.map((i) => (i % 5) * 0.2);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));

    const filtered = state.listRecommendations({ type: 'scene_files' }, 4);
    expect(filtered.totalCount).toBe(6);
    expect(filtered.edges.every((edge) => edge.node.type === 'scene_files')).toBe(true);
    expect(filtered.countsByType.scene_performer).toBe(7);
  });

  it('filters by status and by target, telling scene 12 from performer 12', () => {
    state.upsertRecommendation(suggestion('12', '3'));
    state.upsertRecommendation(suggestion('5', '12'));
    const other = state.upsertRecommendation(suggestion('12', '4'));
    state.dismissRecommendation(other.recommendation.id);

    expect(state.listRecommendations({ targetId: '12' }).totalCount).toBe(3);
    expect(state.listRecommendations({ targetId: '12', targetType: 'scene' }).totalCount).toBe(2);
    expect(state.listRecommendations({ targetId: '12', targetType: 'scene', status: 'pending' }).edges.map((edge) => edge.node.key)).toEqual([
      'scene:12|performer:3',
    ]);
    expect(state.recommendationCounts({ status: 'dismissed' }).scene_performer).toBe(1);
  });

  it('rejects a cursor it did not make and a page size out of range', () => {
    expect(() => state.listRecommendations({}, 10, 'bogus')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => state.listRecommendations({}, 1000)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('expires pending recommendations a rerun no longer produced, keeping dismissed ones', () => {
    const gone = state.upsertRecommendation(suggestion('1', '7'));
    const dismissed = state.upsertRecommendation(suggestion('1', '8'));
    state.dismissRecommendation(dismissed.recommendation.id);
    state.upsertRecommendation(suggestion('2', '9'));

    const runStartedAt = new Date((clock += 1000)).toISOString();
    state.upsertRecommendation(suggestion('2', '9'));
    expect(state.expirePendingRecommendations({ type: 'scene_performer', notSeenSince: runStartedAt, target: { type: 'scene', id: '1' } })).toBe(1);
    expect(state.getRecommendation(gone.recommendation.id)).toBeUndefined();
    expect(state.getRecommendation(dismissed.recommendation.id)?.status).toBe('dismissed');
    expect(state.listRecommendations({ status: 'pending' }).edges.map((edge) => edge.node.key)).toEqual(['scene:2|performer:9']);
  });

  it('keeps a duplicate-scene pair as one recommendation per pair, not per scene', () => {
    const pair = (a: string, b: string): RecommendationInput => ({
      type: 'duplicate_scene',
      targets: [
        { type: 'scene', id: a },
        { type: 'scene', id: b },
      ],
      payload: {},
      confidence: 0.5,
      evidence: {},
    });
    state.upsertRecommendation(pair('1', '2'));
    state.upsertRecommendation(pair('1', '3'));
    expect(state.listRecommendations({ type: 'duplicate_scene', targetId: '1' }).totalCount).toBe(2);
  });
});
