export interface StashId {
  endpoint: string;
  stashId: string;
}

export interface PerformerRecord {
  id: string;
  name: string;
  aliases: string[];
  stashIds: StashId[];
  country: string | null;
  imageUrl: string | null;
  faceCount: number;
}

export interface NewPerformer {
  id?: string;
  name: string;
  aliases?: string[];
  stashIds?: StashId[];
  country?: string | null;
  imageUrl?: string | null;
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How a face reached the database: a photo file, a Stash performer's image, or an upstream import. */
export type FaceOriginKind = 'file' | 'stash' | 'import';

/** Where an enrolled face came from; a face is unique per performer and `sourceHash`. */
export interface FaceSource {
  sourceHash: string;
  /** The photo's path, or the image URL it was read from. */
  sourcePath?: string;
  origin?: { kind: FaceOriginKind; /** e.g. the Stash performer id */ ref?: string };
  box: FaceBox;
  score: number;
}

export interface NewFace extends FaceSource {
  /** One embedding per model of the database's profile, each with that model's dims. */
  embeddings: Record<string, Float32Array>;
  /** A small JPEG of the face, shown when the database is managed. */
  thumbnail?: Uint8Array;
}

/** An enrolled face as management shows it. */
export interface FaceRecord {
  id: number;
  performerId: string;
  sourceHash: string;
  sourcePath: string | null;
  /** null for faces enrolled before their origin was recorded and not recognisable from their path. */
  originKind: FaceOriginKind | null;
  originRef: string | null;
  box: FaceBox;
  score: number;
  createdAt: string;
  hasThumbnail: boolean;
}

export interface PerformerPage {
  /** How many performers match the search in all. */
  total: number;
  performers: PerformerRecord[];
}

export interface PerformerEdit {
  name?: string;
  /** Replaces the aliases. */
  aliases?: string[];
  /** Replaces the stash-box IDs. */
  stashIds?: StashId[];
}

/** `distance` is cosine distance: lower is closer. */
export interface FaceHit {
  faceId: number;
  performerId: string;
  distance: number;
}

export interface EmbeddingModel {
  name: string;
  dims: number;
}

/** A performer's body reference: the median shoulder/hip ratio over their enrolled photos that gave one. */
export interface BodyReferenceRecord {
  shoulderHipRatio: number;
  photoCount: number;
}

/** An enrolled face and where its photo came from, for work that goes back to the photos. */
export interface EnrolledFaceSource extends FaceSource {
  faceId: number;
  performerId: string;
}

export interface FaceDatabaseInfo {
  profile: string;
  models: EmbeddingModel[];
  /** Changes on every committed write; identification results record it. */
  version: string;
  createdAt: string;
  updatedAt: string;
  performerCount: number;
  faceCount: number;
  /** Faces added or deleted since the index files were last written (see compact). */
  pendingChanges: number;
}

export interface FaceDatabaseWriter {
  /**
   * Matches an existing performer by id, else by any (endpoint, stashId), else — when the new one has no
   * stash ids — by exact name; merges aliases and stash ids into it. Returns the performer's id.
   */
  upsertPerformer(performer: NewPerformer): string;
  /** Returns the new face id, or undefined when this performer already has a face from `sourceHash`. */
  addFace(performerId: string, face: NewFace): number | undefined;
  hasFace(performerId: string, sourceHash: string): boolean;
  /**
   * For importers with prebuilt indices (a converted Voyager `.voy`): records a face under a chosen id, which
   * must be the label its vectors carry in the adopted index files. Returns false when already enrolled.
   */
  addIndexedFace(performerId: string, faceId: number, face: FaceSource): boolean;
  /**
   * Replaces `model`'s whole index with a prebuilt hnswlib cosine index file, moved into the data dir at commit.
   * It must hold exactly the database's faces (checked by count). Cannot be mixed with addFace in one write.
   */
  adoptIndexFile(model: string, path: string): void;
  /** Records the body ratio one enrolled photo gave (null: it gave none, and any old ratio is removed). */
  setFaceBodyRatio(faceId: number, shoulderHipRatio: number | null): void;
  /** The ratios recorded for a performer's photos, as this write sees them. */
  faceBodyRatios(performerId: string): number[];
  /** Sets (or, with null, removes) a performer's body reference. */
  setBodyReference(performerId: string, reference: BodyReferenceRecord | null): void;
  /** Removes one face; NOT_FOUND when there is no such face. */
  deleteFace(faceId: number): void;
  /** Removes a performer and all their faces; NOT_FOUND when there is no such performer. */
  deletePerformer(performerId: string): void;
  /** Renames and replaces aliases and stash-box IDs; a stash-box ID another performer holds is a CONFLICT. */
  editPerformer(performerId: string, edit: PerformerEdit): void;
  /**
   * Moves every face of `fromId` to `intoId` (a face whose photo `intoId` already has is dropped), adds the
   * name, aliases and stash-box IDs of `fromId` to `intoId`, and removes `fromId`.
   */
  mergePerformers(fromId: string, intoId: string): void;
}

export interface WriteOutcome<T> {
  result: T;
  facesAdded: number;
  performersAdded: number;
  facesDeleted: number;
}

export interface FaceDatabase {
  info(): FaceDatabaseInfo;
  /** Nearest enrolled faces, best first; k is capped to the face count and an empty database gives []. */
  search(model: string, embedding: Float32Array, k: number): FaceHit[];
  getPerformers(ids: readonly string[]): Map<string, PerformerRecord>;
  /** Ordered by name; `limit` defaults to 100. */
  listPerformers(options?: { limit?: number; offset?: number }): PerformerRecord[];
  hasFaceSource(sourceHash: string): boolean;
  /** Body references of the performers that have one. */
  getBodyReferences(performerIds: readonly string[]): Map<string, BodyReferenceRecord>;
  /** Every enrolled face with its source, in id order. */
  listFaceSources(): EnrolledFaceSource[];
  /** Performers whose name or an alias contains `search` (case-insensitive), ordered by name. */
  searchPerformers(options?: { search?: string; limit?: number; offset?: number }): PerformerPage;
  /** A performer's faces, oldest first. */
  listFaces(performerId: string): FaceRecord[];
  faceThumbnail(faceId: number): Uint8Array | undefined;
  /**
   * All or nothing, even if the process is killed midway. Writes run one at a time; reads made while a write
   * is open see the last committed state. A write records only what changed (new vectors, deleted ids) in
   * performers.db; the index files are rewritten only by a compaction, which runs after a write once
   * the changes pile up (or on compact()).
   */
  write<T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>>;
  /** Writes the changes into new index files; returns whether there was anything to write. */
  compact(): Promise<{ compacted: boolean }>;
  /** True once another process committed a write this object has not loaded: open the database again. */
  isStale(): boolean;
  close(): Promise<void>;
}

export interface OpenFaceDatabaseOptions {
  dataDir: string;
  profile: string;
  models: EmbeddingModel[];
  /** hnswlib ef at query time; default 100. */
  efSearch?: number;
  /** Compact after a write once this many faces were added or deleted since the index files were written. */
  compactAfterChanges?: number;
}
