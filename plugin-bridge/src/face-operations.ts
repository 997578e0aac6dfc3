// The face-database management operations the dashboard sends (re-exported by operations.ts, whose test checks
// every document against the sidecar's schema).
import type { Operation } from './operations.js';

function operation<TData, TVariables = Record<string, never>>(document: string): Operation<TData, TVariables> {
  return { document };
}

export type FaceOrigin = 'FILE' | 'STASH' | 'IMPORT' | 'UNKNOWN';

export interface FacePerformerSummary {
  id: string;
  name: string;
  aliases: string[];
  faceCount: number;
  thumbnail: string | null;
  stashIds: { endpoint: string; stashId: string }[];
}

export interface EnrolledFace {
  id: string;
  origin: FaceOrigin;
  sourcePath: string | null;
  originRef: string | null;
  score: number;
  createdAt: string;
  thumbnail: string | null;
}

export interface FaceDatabaseChange {
  facesDeleted: number;
  performersDeleted: number;
}

const performerFields = 'id name aliases faceCount thumbnail stashIds { endpoint stashId }';

export const facePerformersQuery = operation<
  { facePerformers: { total: number; performers: FacePerformerSummary[] } },
  { search: string | null; first: number; offset: number }
>(`query StashSenseFacePerformers($search: String, $first: Int, $offset: Int) {
  facePerformers(search: $search, first: $first, offset: $offset) { total performers { ${performerFields} } }
}`);

export const facePerformerQuery = operation<{ facePerformer: (FacePerformerSummary & { faces: EnrolledFace[] }) | null }, { id: string }>(
  `query StashSenseFacePerformer($id: ID!) {
  facePerformer(id: $id) { ${performerFields} faces { id origin sourcePath originRef score createdAt thumbnail } }
}`,
);

export const editFacePerformerMutation = operation<
  { editFacePerformer: FacePerformerSummary },
  { id: string; edit: { name?: string; aliases?: string[]; stashIds?: { endpoint: string; stashId: string }[] } }
>(`mutation StashSenseEditFacePerformer($id: ID!, $edit: FacePerformerEdit!) {
  editFacePerformer(id: $id, edit: $edit) { ${performerFields} }
}`);

export const deleteFaceMutation = operation<{ deleteFace: FaceDatabaseChange }, { id: string }>(`mutation StashSenseDeleteFace($id: ID!) {
  deleteFace(id: $id) { facesDeleted performersDeleted }
}`);

export const deleteFacePerformerMutation = operation<{ deleteFacePerformer: FaceDatabaseChange }, { id: string }>(`mutation StashSenseDeleteFacePerformer($id: ID!) {
  deleteFacePerformer(id: $id) { facesDeleted performersDeleted }
}`);

export const mergeFacePerformersMutation = operation<{ mergeFacePerformers: FacePerformerSummary }, { from: string; into: string }>(
  `mutation StashSenseMergeFacePerformers($from: ID!, $into: ID!) {
  mergeFacePerformers(from: $from, into: $into) { ${performerFields} }
}`,
);
