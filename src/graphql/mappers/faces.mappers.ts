// The face database's domain objects behind the faces module's types.
import type { FaceDatabaseChange, FaceRecord, PerformerPage, PerformerRecord } from '../../faces/index.js';

export type FacePerformerMapper = PerformerRecord;
export type FacePerformerPageMapper = PerformerPage;
export type EnrolledFaceMapper = FaceRecord;
export type FaceDatabaseChangeMapper = FaceDatabaseChange;

import type { UpstreamReleaseCheck } from '../../upstream/index.js';

// The release check as the import service returns it; its resolver flattens the latest release's fields.
export type UpstreamReleaseCheckMapper = UpstreamReleaseCheck;
