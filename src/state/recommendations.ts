// Recommendations and their review state. A recommendation is identified by (type, key); running an analyser
// again upserts it, and what the user decided (accept, dismiss, dismiss for good) decides whether it comes back.
import type { Database } from 'better-sqlite3';
import { SenseError } from '../errors.js';
import { parseId } from './ids.js';
import { hashJson, toJsonColumn } from './json.js';
import { createRecommendationListing, type RecommendationFilter, type RecommendationPage } from './recommendation-list.js';
import {
  loadTargets,
  type Recommendation,
  type RecommendationRow,
  type RecommendationTarget,
  type RecommendationType,
  toRecommendation,
} from './recommendation-types.js';

export interface RecommendationInput {
  type: RecommendationType;
  /** The entities the recommendation is about, in a meaningful order (scene then performer; scene a then b). */
  targets: readonly RecommendationTarget[];
  /**
   * Identity within the type; the same key on the next run means the same recommendation. Defaults to the
   * targets joined in the order given (`scene:12|performer:7`), so pass symmetric pairs already sorted.
   */
  key?: string;
  payload: unknown;
  /** 0–1, higher is surer. */
  confidence: number;
  /**
   * What the recommendation rests on (JSON). A soft-dismissed or accepted recommendation comes back only when
   * this changes; choose facts that matter (the performers in a duplicate group, the face-DB version and the
   * matched performer), not ones that drift on every run.
   */
  evidence: unknown;
}

/** created: new. updated/unchanged: was pending. reopened: dismissed or accepted, evidence changed. suppressed: left as decided. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged' | 'reopened' | 'suppressed';

export interface RecommendationStore {
  upsertRecommendation(input: RecommendationInput): { outcome: UpsertOutcome; recommendation: Recommendation };
  getRecommendation(id: string): Recommendation | undefined;
  /** Highest confidence first, then newest; `after` is an opaque cursor from a previous page. */
  listRecommendations(filter?: RecommendationFilter, first?: number, after?: string | null): RecommendationPage;
  /** Per type, for the filter's status and target (its type is ignored, so tabs can show every count). */
  recommendationCounts(filter?: RecommendationFilter): Record<RecommendationType, number>;
  /** Marks it accepted once its action is carried out; `resolution` records what was done. */
  acceptRecommendation(id: string, resolution?: unknown): Recommendation | undefined;
  /** Soft: back if its evidence changes. Permanent: never back. */
  dismissRecommendation(id: string, options?: { permanent?: boolean }): Recommendation | undefined;
  /** Undoes a dismissal: pending again. */
  restoreRecommendation(id: string): Recommendation | undefined;
  /**
   * Deletes pending recommendations of a type that no upsert has touched since `notSeenSince` (an analyser's
   * run start): the situation they described is gone. Dismissed and accepted ones are kept as memory.
   */
  expirePendingRecommendations(options: { type: RecommendationType; notSeenSince: string; target?: RecommendationTarget }): number;
  /** Deletes the pending recommendation of that type and key (what it described is gone); false when there was none pending. */
  removePendingRecommendation(type: RecommendationType, key: string): boolean;
}

export function createRecommendationStore(db: Database, now: () => Date): RecommendationStore {
  const byKey = db.prepare<[string, string], RecommendationRow>('SELECT * FROM recommendations WHERE type = ? AND key = ?');
  const byId = db.prepare<[number], RecommendationRow>('SELECT * FROM recommendations WHERE id = ?');
  const insert = db.prepare<[string, string, number, string, string, string, string, string], RecommendationRow>(`
    INSERT INTO recommendations (type, key, status, confidence, payload, evidence_hash, created_at, updated_at, last_seen_at)
    VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?) RETURNING *`);
  const refresh = db.prepare<[string, number, string, string, string, string, number], RecommendationRow>(`
    UPDATE recommendations SET status = ?, confidence = ?, payload = ?, evidence_hash = ?, updated_at = ?, last_seen_at = ?,
      permanent = 0, resolution = NULL, resolved_at = NULL
    WHERE id = ? RETURNING *`);
  const touch = db.prepare<[string, number], RecommendationRow>('UPDATE recommendations SET last_seen_at = ? WHERE id = ? RETURNING *');
  const resolve = db.prepare<[string, number, string | null, string, string, number], RecommendationRow>(`
    UPDATE recommendations SET status = ?, permanent = ?, resolution = ?, resolved_at = ?, updated_at = ? WHERE id = ? RETURNING *`);
  const reopen = db.prepare<[string, number], RecommendationRow>(`
    UPDATE recommendations SET status = 'pending', permanent = 0, resolution = NULL, resolved_at = NULL, updated_at = ?
    WHERE id = ? RETURNING *`);
  const deleteTargets = db.prepare<[number]>('DELETE FROM recommendation_targets WHERE recommendation_id = ?');
  const insertTarget = db.prepare<[number, number, string, string]>(
    'INSERT INTO recommendation_targets (recommendation_id, position, target_type, target_id) VALUES (?, ?, ?, ?)',
  );
  const expire = db.prepare<[string, string]>(
    `DELETE FROM recommendations WHERE status = 'pending' AND type = ? AND last_seen_at < ?`,
  );
  const expireForTarget = db.prepare<[string, string, string, string]>(`
    DELETE FROM recommendations WHERE status = 'pending' AND type = ? AND last_seen_at < ?
      AND id IN (SELECT recommendation_id FROM recommendation_targets WHERE target_id = ? AND target_type = ?)`);
  const removePending = db.prepare<[string, string]>(`DELETE FROM recommendations WHERE status = 'pending' AND type = ? AND key = ?`);
  const listing = createRecommendationListing(db);

  const writeTargets = (id: number, targets: readonly RecommendationTarget[]) => {
    deleteTargets.run(id);
    targets.forEach((target, position) => insertTarget.run(id, position, target.type, target.id));
  };
  const full = (row: RecommendationRow) => toRecommendation(row, loadTargets(db, [row.id]).get(row.id) ?? []);
  const find = (id: string) => {
    const numeric = parseId(id);
    return numeric === undefined ? undefined : byId.get(numeric);
  };

  // Read-then-write, so IMMEDIATE: another process's writer makes it wait rather than fail on upgrade.
  const writing = <T>(fn: () => T): T => db.transaction(fn).immediate();
  const upsert = db.transaction((input: RecommendationInput): { outcome: UpsertOutcome; recommendation: Recommendation } => {
    checkInput(input);
    const key = input.key ?? input.targets.map((target) => `${target.type}:${target.id}`).join('|');
    const payload = toJsonColumn(input.payload ?? null)!;
    const evidenceHash = hashJson(input.evidence ?? null);
    const at = now().toISOString();
    const existing = byKey.get(input.type, key);
    if (!existing) {
      const row = insert.get(input.type, key, input.confidence, payload, evidenceHash, at, at, at)!;
      writeTargets(row.id, input.targets);
      return { outcome: 'created', recommendation: full(row) };
    }
    const sameEvidence = existing.evidence_hash === evidenceHash;
    if (existing.status !== 'pending' && (sameEvidence || existing.permanent === 1)) {
      return { outcome: 'suppressed', recommendation: full(touch.get(at, existing.id)!) };
    }
    const current = loadTargets(db, [existing.id]).get(existing.id) ?? [];
    const sameTargets = JSON.stringify(current) === JSON.stringify(input.targets.map(({ type, id }) => ({ type, id })));
    if (existing.status === 'pending' && sameEvidence && sameTargets && existing.payload === payload && existing.confidence === input.confidence) {
      return { outcome: 'unchanged', recommendation: full(touch.get(at, existing.id)!) };
    }
    const row = refresh.get('pending', input.confidence, payload, evidenceHash, at, at, existing.id)!;
    if (!sameTargets) writeTargets(row.id, input.targets);
    return { outcome: existing.status === 'pending' ? 'updated' : 'reopened', recommendation: full(row) };
  });

  return {
    upsertRecommendation: (input) => upsert.immediate(input),
    getRecommendation(id) {
      const row = find(id);
      return row && full(row);
    },
    listRecommendations: (filter = {}, first, after) => listing.list(filter, first, after),
    recommendationCounts: (filter = {}) => listing.counts(filter),
    acceptRecommendation: (id, resolution) =>
      writing(() => {
        const row = find(id);
        if (!row || row.status === 'accepted') return row && full(row);
        const at = now().toISOString();
        return full(resolve.get('accepted', 0, toJsonColumn(resolution ?? null), at, at, row.id)!);
      }),
    dismissRecommendation: (id, options = {}) =>
      writing(() => {
        const row = find(id);
        if (!row) return undefined;
        if (row.status === 'accepted') throw new SenseError('CONFLICT', `Recommendation ${id} was already accepted`);
        const at = now().toISOString();
        return full(resolve.get('dismissed', options.permanent ? 1 : 0, null, at, at, row.id)!);
      }),
    restoreRecommendation: (id) =>
      writing(() => {
        const row = find(id);
        if (!row || row.status === 'pending') return row && full(row);
        if (row.status === 'accepted') throw new SenseError('CONFLICT', `Recommendation ${id} was already accepted`);
        return full(reopen.get(now().toISOString(), row.id)!);
      }),
    removePendingRecommendation: (type, key) => removePending.run(type, key).changes > 0,
    expirePendingRecommendations({ type, notSeenSince, target }) {
      const result = target ? expireForTarget.run(type, notSeenSince, target.id, target.type) : expire.run(type, notSeenSince);
      return result.changes;
    },
  };
}

function checkInput(input: RecommendationInput): void {
  if (!(input.confidence >= 0 && input.confidence <= 1)) throw new RangeError(`confidence ${input.confidence} is not within 0–1`);
  if (input.targets.length === 0) throw new RangeError(`a ${input.type} recommendation needs at least one target`);
}
