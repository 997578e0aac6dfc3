export { openFaceDatabase } from './face-database.js';
export { installFaceDatabase, type InstalledFaceDatabase } from './install.js';
export { startLiveFaceDatabase, type FaceDatabaseSource, type FaceLease, type LiveFaceDatabase } from './live-database.js';
export type {
  BodyReferenceRecord,
  EnrolledFaceSource,
  EmbeddingModel,
  FaceBox,
  FaceDatabase,
  FaceDatabaseInfo,
  FaceDatabaseWriter,
  FaceHit,
  FaceOriginKind,
  FaceRecord,
  FaceSource,
  NewFace,
  NewPerformer,
  OpenFaceDatabaseOptions,
  PerformerEdit,
  PerformerPage,
  PerformerRecord,
  StashId,
  WriteOutcome,
} from './types.js';
export { createFaceManagementService, type FaceDatabaseChange, type FaceManagementService } from './management-service.js';
export { DATABASE_FILE as FACE_DATABASE_FILE } from './schema.js';
