// The face database's domain objects behind the faces module's types.
import type { FaceDatabaseChange, FaceRecord, PerformerPage, PerformerRecord } from '../../faces/index.js';

export type FacePerformerMapper = PerformerRecord;
export type FacePerformerPageMapper = PerformerPage;
export type EnrolledFaceMapper = FaceRecord;
export type FaceDatabaseChangeMapper = FaceDatabaseChange;
