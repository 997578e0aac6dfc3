// The writer handed to `FaceDatabase.write`: SQL changes go straight into the open transaction, vectors are
// staged and reach the index only once the change has finished.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { SenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EmbeddingModel, FaceDatabaseWriter, FaceSource, NewFace, NewPerformer, PerformerEdit, StashId } from './types.js';

const MAX_LABEL = 0xffff_ffff; // hnswlib-node reads labels as uint32

export interface StagedVector {
  label: number;
  vector: Float32Array;
}

/** What one write has done so far, beyond its SQL. */
export interface StagedWrite {
  vectors: Map<string, StagedVector[]>;
  facesAdded: number;
  performersAdded: number;
  indexedFacesAdded: number;
  adopted: Map<string, string>;
  /** Face ids deleted by this write (tombstoned in performers.db, marked deleted in the index at commit). */
  deleted: number[];
  performersDeleted: number;
  sealed: boolean;
}

export function createStagedWrite(models: readonly EmbeddingModel[]): StagedWrite {
  return {
    vectors: new Map(models.map((model) => [model.name, []])),
    facesAdded: 0,
    performersAdded: 0,
    indexedFacesAdded: 0,
    adopted: new Map(),
    deleted: [],
    performersDeleted: 0,
    sealed: false,
  };
}

/**
 * Each method is its own savepoint and validates before it changes anything, so a caller that catches one
 * method's error and carries on still commits a consistent database.
 */
export function createWriter(
  db: Database,
  models: readonly EmbeddingModel[],
  staged: StagedWrite,
  logger: Logger,
  /** The highest label the loaded indexes hold (deleted ones too): new face ids start above it. */
  labelFloor: number,
): FaceDatabaseWriter {
  const sql = prepareStatements(db);
  const modelsByName = new Map(models.map((model) => [model.name, model]));

  const usable = () => {
    if (staged.sealed) throw new SenseError('CONFLICT', 'this face database writer belongs to a write that has already finished');
  };
  const requirePerformer = (performerId: string) => {
    if (!sql.performerExists.get(performerId)) throw new SenseError('NOT_FOUND', `performer ${performerId} is not in the face database`);
  };
  const requireFace = (faceId: number) => {
    if (!Number.isInteger(faceId) || !sql.faceIdExists.get(faceId)) throw new SenseError('NOT_FOUND', `face ${faceId} is not in the face database`);
  };
  const insertFace = (performerId: string, face: FaceSource, id: number): number | undefined => {
    const info = sql.insertFace.run({
      id,
      performerId,
      sourceHash: face.sourceHash,
      sourcePath: face.sourcePath ?? null,
      sourceKind: face.origin?.kind ?? null,
      sourceRef: face.origin?.ref ?? null,
      x: face.box.x,
      y: face.box.y,
      width: face.box.width,
      height: face.box.height,
      score: face.score,
      now: new Date().toISOString(),
    });
    return info.changes === 0 ? undefined : Number(info.lastInsertRowid);
  };

  const upsertPerformer = db.transaction((performer: NewPerformer): string => {
    const name = performer.name.trim();
    if (!name) throw new SenseError('BAD_INPUT', 'a performer needs a name');
    const stashIds = (performer.stashIds ?? []).map(checkStashId);
    const aliases = new Set((performer.aliases ?? []).map((alias) => alias.trim()).filter((alias) => alias && alias !== name));
    const now = new Date().toISOString();

    const existing = findPerformer(sql, performer.id, stashIds, name);
    let id: string;
    if (existing) {
      id = existing.id;
      if (existing.name !== name) aliases.add(existing.name);
      sql.updatePerformer.run({ id, name, country: performer.country ?? null, imageUrl: performer.imageUrl ?? null, now });
      sql.deleteAlias.run(id, name);
    } else {
      id = performer.id ?? randomUUID();
      sql.insertPerformer.run({ id, name, country: performer.country ?? null, imageUrl: performer.imageUrl ?? null, now });
      staged.performersAdded++;
    }
    for (const alias of aliases) sql.insertAlias.run(id, alias);
    for (const { endpoint, stashId } of stashIds) {
      if (sql.insertStashId.run(id, endpoint, stashId).changes === 0) {
        const owner = sql.stashIdOwner.get(endpoint, stashId) as { performer_id: string } | undefined;
        if (owner && owner.performer_id !== id) logger.debug('stash id kept by another performer', { endpoint, stashId, owner: owner.performer_id, performerId: id });
      }
    }
    return id;
  });

  const addFace = db.transaction((performerId: string, face: NewFace): number | undefined => {
    if (staged.adopted.size > 0) throw new SenseError('CONFLICT', 'addFace cannot be mixed with adoptIndexFile in one write');
    requirePerformer(performerId);
    checkFaceSource(face);
    const vectors = checkEmbeddings(face.embeddings, modelsByName);
    if (sql.faceExists.get(performerId, face.sourceHash)) return undefined;
    // Ids are never reused while an index file may still hold the old id's vector (deleted or rolled back).
    const next = Math.max(sql.highestFaceId.pluck().get() as number, labelFloor) + 1;
    if (next > MAX_LABEL) throw new SenseError('INTERNAL', `face id ${next} does not fit an index label (uint32)`);
    const id = insertFace(performerId, face, next)!;
    for (const [model, vector] of vectors) {
      sql.insertVector.run(id, model, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
      staged.vectors.get(model)!.push({ label: id, vector });
    }
    if (face.thumbnail && face.thumbnail.length > 0) sql.insertThumbnail.run(id, Buffer.from(face.thumbnail));
    staged.facesAdded++;
    return id;
  });

  const removeFaces = (faceIds: readonly number[]) => {
    for (const faceId of faceIds) {
      sql.insertTombstone.run(faceId);
      sql.deleteFace.run(faceId);
      staged.deleted.push(faceId);
    }
  };

  const deleteFace = db.transaction((faceId: number) => {
    requireFace(faceId);
    removeFaces([faceId]);
  });

  const deletePerformer = db.transaction((performerId: string) => {
    requirePerformer(performerId);
    removeFaces(sql.facesOf.pluck().all(performerId) as number[]);
    sql.deletePerformer.run(performerId);
    staged.performersDeleted++;
  });

  const editPerformer = db.transaction((performerId: string, edit: PerformerEdit) => {
    const current = sql.performerById.get(performerId) as { id: string; name: string } | undefined;
    if (!current) throw new SenseError('NOT_FOUND', `performer ${performerId} is not in the face database`);
    const name = edit.name === undefined ? current.name : edit.name.trim();
    if (!name) throw new SenseError('BAD_INPUT', 'a performer needs a name');
    const now = new Date().toISOString();
    sql.updatePerformer.run({ id: performerId, name, country: null, imageUrl: null, now });
    if (edit.aliases !== undefined) {
      sql.deleteAliases.run(performerId);
      for (const alias of new Set(edit.aliases.map((alias) => alias.trim()))) if (alias && alias !== name) sql.insertAlias.run(performerId, alias);
    } else {
      sql.deleteAlias.run(performerId, name);
    }
    if (edit.stashIds !== undefined) {
      const stashIds = edit.stashIds.map(checkStashId);
      sql.deleteStashIds.run(performerId);
      for (const { endpoint, stashId } of stashIds) {
        const owner = sql.stashIdOwner.get(endpoint, stashId) as { performer_id: string } | undefined;
        if (owner && owner.performer_id !== performerId) {
          throw new SenseError('CONFLICT', `stash id ${stashId} on ${endpoint} belongs to performer ${owner.performer_id}; merge the two performers instead`);
        }
        sql.insertStashId.run(performerId, endpoint, stashId);
      }
    }
  });

  const mergePerformers = db.transaction((fromId: string, intoId: string) => {
    if (fromId === intoId) throw new SenseError('BAD_INPUT', 'a performer cannot be merged into itself');
    requirePerformer(intoId);
    const from = sql.performerFull.get(fromId) as { name: string; country: string | null; image_url: string | null } | undefined;
    if (!from) throw new SenseError('NOT_FOUND', `performer ${fromId} is not in the face database`);
    // The same photo enrolled for both: keep the target's face, drop the other.
    removeFaces(sql.duplicateFaces.pluck().all(fromId, intoId) as number[]);
    sql.moveFaces.run(intoId, fromId);
    const into = sql.performerById.get(intoId) as { name: string };
    const aliases = [from.name, ...(sql.aliasesOf.pluck().all(fromId) as string[])];
    for (const alias of aliases) if (alias !== into.name) sql.insertAlias.run(intoId, alias);
    sql.moveStashIds.run(intoId, fromId);
    sql.fillDetails.run({ id: intoId, country: from.country, imageUrl: from.image_url, now: new Date().toISOString() });
    sql.deletePerformer.run(fromId);
    staged.performersDeleted++;
  });

  const addIndexedFace = db.transaction((performerId: string, faceId: number, face: FaceSource): boolean => {
    if (staged.facesAdded > staged.indexedFacesAdded) throw new SenseError('CONFLICT', 'addIndexedFace cannot be mixed with addFace in one write');
    if (!Number.isInteger(faceId) || faceId < 0 || faceId > MAX_LABEL) throw new SenseError('BAD_INPUT', `face id ${faceId} is not a uint32 index label`);
    requirePerformer(performerId);
    checkFaceSource(face);
    if (sql.faceIdExists.get(faceId) || sql.tombstoneExists.get(faceId)) throw new SenseError('BAD_INPUT', `face id ${faceId} is already used`);
    if (insertFace(performerId, face, faceId) === undefined) return false;
    staged.facesAdded++;
    staged.indexedFacesAdded++;
    return true;
  });

  return {
    upsertPerformer(performer) {
      usable();
      return upsertPerformer(performer);
    },
    addFace(performerId, face) {
      usable();
      return addFace(performerId, face);
    },
    hasFace(performerId, sourceHash) {
      usable();
      return sql.faceExists.get(performerId, sourceHash) !== undefined;
    },
    addIndexedFace(performerId, faceId, face) {
      usable();
      return addIndexedFace(performerId, faceId, face);
    },
    adoptIndexFile(model, path) {
      usable();
      if (!modelsByName.has(model)) throw new SenseError('BAD_INPUT', `unknown embedding model "${model}"; this database has ${[...modelsByName.keys()].join(', ')}`);
      if (staged.facesAdded > staged.indexedFacesAdded) throw new SenseError('CONFLICT', 'adoptIndexFile cannot be mixed with addFace in one write');
      staged.adopted.set(model, path);
    },
    setFaceBodyRatio(faceId, shoulderHipRatio) {
      usable();
      if (!sql.faceIdExists.get(faceId)) throw new SenseError('NOT_FOUND', `face ${faceId} is not in the face database`);
      if (shoulderHipRatio === null) sql.deleteFaceBodyRatio.run(faceId);
      else if (Number.isFinite(shoulderHipRatio) && shoulderHipRatio > 0) sql.upsertFaceBodyRatio.run(faceId, shoulderHipRatio);
      else throw new SenseError('BAD_INPUT', `a body ratio must be a positive number (face ${faceId})`);
    },
    faceBodyRatios(performerId) {
      usable();
      return (sql.faceBodyRatios.all(performerId) as { ratio: number }[]).map((row) => row.ratio);
    },
    setBodyReference(performerId, reference) {
      usable();
      requirePerformer(performerId);
      if (reference === null) sql.deleteBodyReference.run(performerId);
      else if (Number.isFinite(reference.shoulderHipRatio) && reference.shoulderHipRatio > 0 && Number.isInteger(reference.photoCount) && reference.photoCount > 0) {
        sql.upsertBodyReference.run({ performerId, ratio: reference.shoulderHipRatio, photoCount: reference.photoCount, now: new Date().toISOString() });
      } else throw new SenseError('BAD_INPUT', `a body reference needs a positive ratio and photo count (performer ${performerId})`);
    },
    deleteFace(faceId) {
      usable();
      deleteFace(faceId);
    },
    deletePerformer(performerId) {
      usable();
      deletePerformer(performerId);
    },
    editPerformer(performerId, edit) {
      usable();
      editPerformer(performerId, edit);
    },
    mergePerformers(fromId, intoId) {
      usable();
      mergePerformers(fromId, intoId);
    },
  };
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database) {
  return {
    performerById: db.prepare('SELECT id, name FROM performers WHERE id = ?'),
    performerByStashId: db.prepare(
      'SELECT p.id, p.name FROM performer_stash_ids s JOIN performers p ON p.id = s.performer_id WHERE s.endpoint = ? AND s.stash_id = ?',
    ),
    performerByName: db.prepare('SELECT id, name FROM performers WHERE name = ? ORDER BY rowid LIMIT 1'),
    performerExists: db.prepare('SELECT 1 FROM performers WHERE id = ?'),
    insertPerformer: db.prepare(
      'INSERT INTO performers (id, name, country, image_url, created_at, updated_at) VALUES (@id, @name, @country, @imageUrl, @now, @now)',
    ),
    updatePerformer: db.prepare(
      `UPDATE performers SET name = @name, country = coalesce(@country, country), image_url = coalesce(@imageUrl, image_url),
       updated_at = @now WHERE id = @id`,
    ),
    insertAlias: db.prepare('INSERT OR IGNORE INTO performer_aliases (performer_id, alias) VALUES (?, ?)'),
    deleteAlias: db.prepare('DELETE FROM performer_aliases WHERE performer_id = ? AND alias = ?'),
    insertStashId: db.prepare('INSERT OR IGNORE INTO performer_stash_ids (performer_id, endpoint, stash_id) VALUES (?, ?, ?)'),
    stashIdOwner: db.prepare('SELECT performer_id FROM performer_stash_ids WHERE endpoint = ? AND stash_id = ?'),
    insertFace: db.prepare(
      `INSERT INTO faces (id, performer_id, source_hash, source_path, source_kind, source_ref, box_x, box_y, box_width, box_height, score, created_at)
       VALUES (@id, @performerId, @sourceHash, @sourcePath, @sourceKind, @sourceRef, @x, @y, @width, @height, @score, @now)
       ON CONFLICT (performer_id, source_hash) DO NOTHING`,
    ),
    faceExists: db.prepare('SELECT 1 FROM faces WHERE performer_id = ? AND source_hash = ?'),
    faceIdExists: db.prepare('SELECT 1 FROM faces WHERE id = ?'),
    upsertFaceBodyRatio: db.prepare(
      'INSERT INTO face_body_ratios (face_id, shoulder_hip_ratio) VALUES (?, ?) ON CONFLICT (face_id) DO UPDATE SET shoulder_hip_ratio = excluded.shoulder_hip_ratio',
    ),
    deleteFaceBodyRatio: db.prepare('DELETE FROM face_body_ratios WHERE face_id = ?'),
    faceBodyRatios: db.prepare(
      'SELECT r.shoulder_hip_ratio AS ratio FROM face_body_ratios r JOIN faces f ON f.id = r.face_id WHERE f.performer_id = ? ORDER BY r.face_id',
    ),
    upsertBodyReference: db.prepare(
      `INSERT INTO body_references (performer_id, shoulder_hip_ratio, photo_count, updated_at) VALUES (@performerId, @ratio, @photoCount, @now)
       ON CONFLICT (performer_id) DO UPDATE SET shoulder_hip_ratio = excluded.shoulder_hip_ratio, photo_count = excluded.photo_count, updated_at = excluded.updated_at`,
    ),
    deleteBodyReference: db.prepare('DELETE FROM body_references WHERE performer_id = ?'),
    tombstoneExists: db.prepare('SELECT 1 FROM face_tombstones WHERE face_id = ?'),
    highestFaceId: db.prepare(
      'SELECT max(coalesce((SELECT max(id) FROM faces), 0), coalesce((SELECT max(face_id) FROM face_tombstones), 0))',
    ),
    insertVector: db.prepare('INSERT INTO face_vectors (face_id, model, vector) VALUES (?, ?, ?)'),
    insertThumbnail: db.prepare('INSERT OR REPLACE INTO face_thumbnails (face_id, jpeg) VALUES (?, ?)'),
    insertTombstone: db.prepare('INSERT OR IGNORE INTO face_tombstones (face_id) VALUES (?)'),
    deleteFace: db.prepare('DELETE FROM faces WHERE id = ?'),
    facesOf: db.prepare('SELECT id FROM faces WHERE performer_id = ?'),
    deletePerformer: db.prepare('DELETE FROM performers WHERE id = ?'),
    deleteAliases: db.prepare('DELETE FROM performer_aliases WHERE performer_id = ?'),
    deleteStashIds: db.prepare('DELETE FROM performer_stash_ids WHERE performer_id = ?'),
    performerFull: db.prepare('SELECT name, country, image_url FROM performers WHERE id = ?'),
    aliasesOf: db.prepare('SELECT alias FROM performer_aliases WHERE performer_id = ?'),
    duplicateFaces: db.prepare(
      'SELECT f.id FROM faces f WHERE f.performer_id = ? AND EXISTS (SELECT 1 FROM faces g WHERE g.performer_id = ? AND g.source_hash = f.source_hash)',
    ),
    moveFaces: db.prepare('UPDATE faces SET performer_id = ? WHERE performer_id = ?'),
    moveStashIds: db.prepare('UPDATE performer_stash_ids SET performer_id = ? WHERE performer_id = ?'),
    fillDetails: db.prepare(
      'UPDATE performers SET country = coalesce(country, @country), image_url = coalesce(image_url, @imageUrl), updated_at = @now WHERE id = @id',
    ),
  };
}

function findPerformer(sql: Statements, id: string | undefined, stashIds: StashId[], name: string): { id: string; name: string } | undefined {
  type Row = { id: string; name: string } | undefined;
  if (id !== undefined) {
    const row = sql.performerById.get(id) as Row;
    if (row) return row;
  }
  for (const { endpoint, stashId } of stashIds) {
    const row = sql.performerByStashId.get(endpoint, stashId) as Row;
    if (row) return row;
  }
  // A name alone identifies a performer only when nothing stronger was given: two stash-box entries may share a name.
  return stashIds.length === 0 ? (sql.performerByName.get(name) as Row) : undefined;
}

function checkStashId(stashId: StashId): StashId {
  const endpoint = stashId.endpoint.trim();
  const id = stashId.stashId.trim();
  if (!endpoint || !id) throw new SenseError('BAD_INPUT', 'a stash id needs an endpoint and an id');
  return { endpoint, stashId: id };
}

function checkFaceSource(face: FaceSource): void {
  if (!face.sourceHash) throw new SenseError('BAD_INPUT', 'a face needs a source hash');
  const numbers = [face.box.x, face.box.y, face.box.width, face.box.height, face.score];
  if (!numbers.every(Number.isFinite)) throw new SenseError('BAD_INPUT', `face box and score must be finite numbers (source ${face.sourceHash})`);
}

/** Copies each embedding, so the caller may reuse its buffers before the write commits. */
function checkEmbeddings(embeddings: Record<string, Float32Array>, models: ReadonlyMap<string, EmbeddingModel>): [string, Float32Array][] {
  for (const name of Object.keys(embeddings)) {
    if (!models.has(name)) throw new SenseError('BAD_INPUT', `unknown embedding model "${name}"; this database has ${[...models.keys()].join(', ')}`);
  }
  return [...models.values()].map(({ name, dims }) => {
    const embedding = embeddings[name];
    if (!embedding) throw new SenseError('BAD_INPUT', `the face has no "${name}" embedding`);
    checkEmbedding(name, embedding, dims);
    return [name, embedding.slice()];
  });
}

export function checkEmbedding(model: string, embedding: Float32Array, dims: number): void {
  if (embedding.length !== dims) throw new SenseError('BAD_INPUT', `a "${model}" embedding has ${dims} dims, not ${embedding.length}`);
  let norm = 0;
  for (const value of embedding) norm += value * value;
  if (!Number.isFinite(norm) || norm === 0) throw new SenseError('BAD_INPUT', `a "${model}" embedding must be finite and non-zero`);
}
