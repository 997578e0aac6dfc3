// Read queries over the committed database (the reader connection).
import type { Database } from 'better-sqlite3';
import type { BodyReferenceRecord, EnrolledFaceSource, FaceOriginKind, FaceRecord, PerformerPage, PerformerRecord } from './types.js';

const CHUNK = 500;

export interface PerformerReads {
  getPerformers(ids: readonly string[]): Map<string, PerformerRecord>;
  listPerformers(limit: number, offset: number): PerformerRecord[];
  hasFaceSource(sourceHash: string): boolean;
  searchPerformers(search: string, limit: number, offset: number): PerformerPage;
  listFaces(performerId: string): FaceRecord[];
  faceThumbnail(faceId: number): Uint8Array | undefined;
  /** face id → performer id, for the ids the database knows. */
  faceOwners(faceIds: readonly number[]): Map<number, string>;
  bodyReferences(ids: readonly string[]): Map<string, BodyReferenceRecord>;
  listFaceSources(): EnrolledFaceSource[];
}

interface PerformerRow {
  id: string;
  name: string;
  country: string | null;
  image_url: string | null;
  face_count: number;
}

interface FaceRow {
  id: number;
  performer_id: string;
  source_hash: string;
  source_path: string | null;
  source_kind: FaceOriginKind | null;
  source_ref: string | null;
  box_x: number;
  box_y: number;
  box_width: number;
  box_height: number;
  score: number;
  created_at: string;
  has_thumbnail: number;
}

export function createPerformerReads(db: Database): PerformerReads {
  // json_each keeps one prepared statement for any number of ids.
  const performers = db.prepare(
    `SELECT p.id, p.name, p.country, p.image_url, (SELECT count(*) FROM faces f WHERE f.performer_id = p.id) AS face_count
     FROM performers p WHERE p.id IN (SELECT value FROM json_each(?))`,
  );
  const aliases = db.prepare(
    'SELECT performer_id, alias FROM performer_aliases WHERE performer_id IN (SELECT value FROM json_each(?)) ORDER BY performer_id, alias',
  );
  const stashIds = db.prepare(
    `SELECT performer_id, endpoint, stash_id FROM performer_stash_ids WHERE performer_id IN (SELECT value FROM json_each(?))
     ORDER BY performer_id, endpoint, stash_id`,
  );
  const page = db.prepare('SELECT id FROM performers ORDER BY name, id LIMIT ? OFFSET ?');
  const faceSource = db.prepare('SELECT 1 FROM faces WHERE source_hash = ? LIMIT 1');
  const owners = db.prepare('SELECT id, performer_id FROM faces WHERE id IN (SELECT value FROM json_each(?))');
  const references = db.prepare(
    'SELECT performer_id, shoulder_hip_ratio, photo_count FROM body_references WHERE performer_id IN (SELECT value FROM json_each(?))',
  );
  const faceSources = db.prepare(
    'SELECT id, performer_id, source_hash, source_path, box_x, box_y, box_width, box_height, score FROM faces ORDER BY id',
  );
  // instr on lower() instead of LIKE: a search for "50%" or "a_b" means those characters.
  const matching = `FROM performers p WHERE @search = '' OR instr(lower(p.name), lower(@search)) > 0
     OR EXISTS (SELECT 1 FROM performer_aliases a WHERE a.performer_id = p.id AND instr(lower(a.alias), lower(@search)) > 0)`;
  const searchPage = db.prepare(`SELECT p.id ${matching} ORDER BY p.name COLLATE NOCASE, p.id LIMIT @limit OFFSET @offset`);
  const searchTotal = db.prepare(`SELECT count(*) ${matching}`).pluck();
  const faces = db.prepare(
    `SELECT f.id, f.performer_id, f.source_hash, f.source_path, f.source_kind, f.source_ref, f.box_x, f.box_y, f.box_width, f.box_height,
       f.score, f.created_at, (t.face_id IS NOT NULL) AS has_thumbnail
     FROM faces f LEFT JOIN face_thumbnails t ON t.face_id = f.id WHERE f.performer_id = ? ORDER BY f.id`,
  );
  const thumbnail = db.prepare('SELECT jpeg FROM face_thumbnails WHERE face_id = ?').pluck();

  const getPerformers = (ids: readonly string[]): Map<string, PerformerRecord> => {
    const found = new Map<string, PerformerRecord>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = JSON.stringify(unique.slice(start, start + CHUNK));
      for (const row of performers.all(chunk) as PerformerRow[]) {
        found.set(row.id, { id: row.id, name: row.name, aliases: [], stashIds: [], country: row.country, imageUrl: row.image_url, faceCount: row.face_count });
      }
      for (const row of aliases.all(chunk) as { performer_id: string; alias: string }[]) found.get(row.performer_id)?.aliases.push(row.alias);
      for (const row of stashIds.all(chunk) as { performer_id: string; endpoint: string; stash_id: string }[]) {
        found.get(row.performer_id)?.stashIds.push({ endpoint: row.endpoint, stashId: row.stash_id });
      }
    }
    return found;
  };

  return {
    getPerformers,
    listPerformers(limit, offset) {
      const ids = (page.all(limit, offset) as { id: string }[]).map((row) => row.id);
      const records = getPerformers(ids);
      return ids.flatMap((id) => records.get(id) ?? []);
    },
    hasFaceSource: (sourceHash) => faceSource.get(sourceHash) !== undefined,
    searchPerformers(search, limit, offset) {
      const ids = (searchPage.all({ search, limit, offset }) as { id: string }[]).map((row) => row.id);
      const records = getPerformers(ids);
      return { total: searchTotal.get({ search }) as number, performers: ids.flatMap((id) => records.get(id) ?? []) };
    },
    listFaces(performerId) {
      return (faces.all(performerId) as FaceRow[]).map((row) => ({
        id: row.id,
        performerId: row.performer_id,
        sourceHash: row.source_hash,
        sourcePath: row.source_path,
        originKind: row.source_kind,
        originRef: row.source_ref,
        box: { x: row.box_x, y: row.box_y, width: row.box_width, height: row.box_height },
        score: row.score,
        createdAt: row.created_at,
        hasThumbnail: row.has_thumbnail === 1,
      }));
    },
    faceThumbnail(faceId) {
      const jpeg = thumbnail.get(faceId) as Buffer | undefined;
      return jpeg ? new Uint8Array(jpeg) : undefined;
    },
    faceOwners(faceIds) {
      const rows = owners.all(JSON.stringify(faceIds)) as { id: number; performer_id: string }[];
      return new Map(rows.map((row) => [row.id, row.performer_id]));
    },
    bodyReferences(ids) {
      const found = new Map<string, BodyReferenceRecord>();
      const unique = [...new Set(ids)];
      for (let start = 0; start < unique.length; start += CHUNK) {
        const rows = references.all(JSON.stringify(unique.slice(start, start + CHUNK))) as { performer_id: string; shoulder_hip_ratio: number; photo_count: number }[];
        for (const row of rows) found.set(row.performer_id, { shoulderHipRatio: row.shoulder_hip_ratio, photoCount: row.photo_count });
      }
      return found;
    },
    listFaceSources() {
      type Row = { id: number; performer_id: string; source_hash: string; source_path: string | null; box_x: number; box_y: number; box_width: number; box_height: number; score: number };
      return (faceSources.all() as Row[]).map((row) => ({
        faceId: row.id,
        performerId: row.performer_id,
        sourceHash: row.source_hash,
        ...(row.source_path === null ? {} : { sourcePath: row.source_path }),
        box: { x: row.box_x, y: row.box_y, width: row.box_width, height: row.box_height },
        score: row.score,
      }));
    },
  };
}
