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

/** Where an enrolled face came from; a face is unique per performer and `sourceHash`. */
export interface FaceSource {
  sourceHash: string;
  sourcePath?: string;
  box: FaceBox;
  score: number;
}

export interface NewFace extends FaceSource {
  /** One embedding per model of the database's profile, each with that model's dims. */
  embeddings: Record<string, Float32Array>;
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
}

export interface WriteOutcome<T> {
  result: T;
  facesAdded: number;
  performersAdded: number;
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
  /**
   * All or nothing, even if the process is killed midway. Writes run one at a time; reads made while a write
   * is open see the last committed state. Every write that adds faces rewrites the index files, so batch them.
   */
  write<T>(change: (writer: FaceDatabaseWriter) => T | Promise<T>): Promise<WriteOutcome<T>>;
  close(): Promise<void>;
}

export interface OpenFaceDatabaseOptions {
  dataDir: string;
  profile: string;
  models: EmbeddingModel[];
  /** hnswlib ef at query time; default 100. */
  efSearch?: number;
}
