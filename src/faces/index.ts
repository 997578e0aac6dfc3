export { openFaceDatabase } from './face-database.js';
export { installFaceDatabase, type InstalledFaceDatabase } from './install.js';
export type {
  BodyReferenceRecord,
  EnrolledFaceSource,
  EmbeddingModel,
  FaceBox,
  FaceDatabase,
  FaceDatabaseInfo,
  FaceDatabaseWriter,
  FaceHit,
  FaceSource,
  NewFace,
  NewPerformer,
  OpenFaceDatabaseOptions,
  PerformerRecord,
  StashId,
  WriteOutcome,
} from './types.js';
