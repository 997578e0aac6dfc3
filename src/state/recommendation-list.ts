// Listing recommendations: filters, keyset pagination with opaque cursors, and counts per type.
import type { Database, Statement } from 'better-sqlite3';
import { SenseError } from '../errors.js';
import {
  RECOMMENDATION_TYPES,
  loadTargets,
  toRecommendation,
  type Recommendation,
  type RecommendationRow,
  type RecommendationStatus,
  type RecommendationTargetType,
  type RecommendationType,
} from './recommendation-types.js';

export interface RecommendationFilter {
  type?: RecommendationType | null;
  status?: RecommendationStatus | null;
  /** Recommendations about this entity id (any target position). */
  targetId?: string | null;
  /** Narrows `targetId` to one entity type (scene 12, not performer 12). */
  targetType?: RecommendationTargetType | null;
}

export interface RecommendationPage {
  edges: { cursor: string; node: Recommendation }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** All recommendations matching the filter, not just this page. */
  totalCount: number;
  /** Per type, for the filter's status and target. */
  countsByType: Record<RecommendationType, number>;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

export interface RecommendationListing {
  list(filter: RecommendationFilter, first?: number, after?: string | null): RecommendationPage;
  counts(filter: RecommendationFilter): Record<RecommendationType, number>;
}

type Params = Record<string, string | number>;

export function createRecommendationListing(db: Database): RecommendationListing {
  // A handful of filter shapes exist, and each gets its own statement so SQLite can pick the index for it.
  const statements = new Map<string, Statement<[Params], unknown>>();
  const prepared = <Row>(sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<[Params], unknown>(sql);
      statements.set(sql, statement);
    }
    return statement as Statement<[Params], Row>;
  };

  const counts = (filter: RecommendationFilter) => {
    const { where, params } = conditions({ ...filter, type: null });
    const rows = prepared<{ type: RecommendationType; n: number }>(
      `SELECT r.type AS type, count(*) AS n FROM recommendations r ${where} GROUP BY r.type`,
    ).all(params);
    const byType = Object.fromEntries(RECOMMENDATION_TYPES.map((type) => [type, 0])) as Record<RecommendationType, number>;
    for (const row of rows) byType[row.type] = row.n;
    return byType;
  };

  return {
    counts,
    list(filter, first = DEFAULT_PAGE_SIZE, after) {
      if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
        throw new SenseError('BAD_INPUT', `first must be a whole number from 0 to ${MAX_PAGE_SIZE}, not ${first}`);
      }
      const position = after ? decodeCursor(after) : undefined;
      const { where, params } = conditions(filter, position);
      const rows = prepared<RecommendationRow>(
        `SELECT r.* FROM recommendations r ${where} ORDER BY r.confidence DESC, r.id DESC LIMIT @limit`,
      ).all({ ...params, limit: first + 1 });
      const page = rows.slice(0, first);
      const targets = loadTargets(db, page.map((row) => row.id));
      const edges = page.map((row) => ({ cursor: encodeCursor(row), node: toRecommendation(row, targets.get(row.id) ?? []) }));
      const countsByType = counts(filter);
      const totalCount = filter.type ? countsByType[filter.type] : Object.values(countsByType).reduce((sum, n) => sum + n, 0);
      return {
        edges,
        pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
        countsByType,
      };
    },
  };
}

interface CursorPosition {
  confidence: number;
  id: number;
}

function conditions(filter: RecommendationFilter, after?: CursorPosition): { where: string; params: Params } {
  const parts: string[] = [];
  const params: Params = {};
  if (filter.status) {
    parts.push('r.status = @status');
    params.status = filter.status;
  }
  if (filter.type) {
    parts.push('r.type = @type');
    params.type = filter.type;
  }
  if (filter.targetId) {
    const typed = filter.targetType ? ' AND t.target_type = @targetType' : '';
    parts.push(`EXISTS (SELECT 1 FROM recommendation_targets t WHERE t.recommendation_id = r.id AND t.target_id = @targetId${typed})`);
    params.targetId = filter.targetId;
    if (filter.targetType) params.targetType = filter.targetType;
  }
  if (after) {
    parts.push('(r.confidence < @afterConfidence OR (r.confidence = @afterConfidence AND r.id < @afterId))');
    params.afterConfidence = after.confidence;
    params.afterId = after.id;
  }
  return { where: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function encodeCursor(row: { confidence: number; id: number }): string {
  return Buffer.from(JSON.stringify([row.confidence, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [confidence, id] = value as unknown[];
      if (typeof confidence === 'number' && Number.isInteger(id)) return { confidence, id: id as number };
    }
  } catch {
    // falls through to the error below
  }
  throw new SenseError('BAD_INPUT', 'after is not a cursor from a recommendations page');
}
