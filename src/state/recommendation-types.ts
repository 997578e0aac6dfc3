// The recommendation shape seen outside src/state, and its mapping from rows.
import type { Database, Statement } from 'better-sqlite3';
import { fromJsonColumn } from './json.js';

export type RecommendationType = 'scene_performer' | 'duplicate_performer' | 'scene_files' | 'duplicate_scene' | 'upstream_performer_changes';
export const RECOMMENDATION_TYPES: readonly RecommendationType[] = ['scene_performer', 'duplicate_performer', 'scene_files', 'duplicate_scene', 'upstream_performer_changes'];

export type RecommendationStatus = 'pending' | 'accepted' | 'dismissed';
export type RecommendationTargetType = 'scene' | 'performer' | 'image' | 'gallery' | 'file';

/** A Stash entity; ids are only unique per type (scene 12 and performer 12 are different things). */
export interface RecommendationTarget {
  type: RecommendationTargetType;
  id: string;
}

export interface Recommendation {
  id: string;
  type: RecommendationType;
  key: string;
  targets: RecommendationTarget[];
  payload: unknown;
  confidence: number;
  status: RecommendationStatus;
  /** Dismissed for good: no rerun brings it back. */
  permanent: boolean;
  evidenceHash: string;
  /** What accepting it did, as the caller recorded it. */
  resolution: unknown;
  createdAt: string;
  updatedAt: string;
  /** When an analyser last produced it, whatever its status. */
  lastSeenAt: string;
  /** When it was accepted or dismissed. */
  resolvedAt: string | null;
}

export interface RecommendationRow {
  id: number;
  type: RecommendationType;
  key: string;
  status: RecommendationStatus;
  permanent: number;
  confidence: number;
  payload: string;
  evidence_hash: string;
  resolution: string | null;
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

export function toRecommendation(row: RecommendationRow, targets: RecommendationTarget[]): Recommendation {
  return {
    id: String(row.id),
    type: row.type,
    key: row.key,
    targets,
    payload: fromJsonColumn(row.payload),
    confidence: row.confidence,
    status: row.status,
    permanent: row.permanent === 1,
    evidenceHash: row.evidence_hash,
    resolution: fromJsonColumn(row.resolution) ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
  };
}

type TargetRow = { recommendation_id: number; target_type: RecommendationTargetType; target_id: string };
const targetStatements = new WeakMap<Database, Statement<[string], TargetRow>>();

/** The targets of several recommendations in one statement, in their stored order. */
export function loadTargets(db: Database, ids: readonly number[]): Map<number, RecommendationTarget[]> {
  const byRecommendation = new Map<number, RecommendationTarget[]>();
  if (ids.length === 0) return byRecommendation;
  let statement = targetStatements.get(db);
  if (!statement) {
    statement = db.prepare<[string], TargetRow>(
      `SELECT recommendation_id, target_type, target_id FROM recommendation_targets
       WHERE recommendation_id IN (SELECT value FROM json_each(?)) ORDER BY recommendation_id, position`,
    );
    targetStatements.set(db, statement);
  }
  for (const row of statement.all(JSON.stringify(ids))) {
    const list = byRecommendation.get(row.recommendation_id) ?? [];
    list.push({ type: row.target_type, id: row.target_id });
    byRecommendation.set(row.recommendation_id, list);
  }
  return byRecommendation;
}
