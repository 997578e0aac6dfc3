// What the recommendation service shows and takes: a recommendation with its typed details, and what an analyser
// proposes before it is stored.
import type { LinkedCandidate } from '../identify/index.js';
import type { Recommendation, RecommendationStatus, RecommendationTarget, RecommendationType } from '../state/index.js';
import type { StashId } from '../stash/index.js';
import type { FieldValues, PerformerField } from '../stashbox/index.js';

export type { RecommendationStatus, RecommendationTarget, RecommendationType };

export interface ScenePerformerDetails {
  sceneId: string;
  sceneTitle: string | null;
  /** The face-database performer and how it links to the user's Stash performer (`link.stashPerformerId`). */
  candidate: LinkedCandidate;
  /** JPEG data: URL of the person's clearest face in the scene. */
  thumbnail: string | null;
  personId: number;
}

export interface DuplicatePerformer {
  id: string;
  name: string;
  sceneCount: number;
  stashIds: StashId[];
}

export interface DuplicatePerformerDetails {
  /** The stash-box performer most of the group shares. */
  stashId: StashId;
  /** Every stash-box performer two or more of the group share (usually just `stashId`). */
  sharedStashIds: StashId[];
  /** The keeper first, then the others by id. */
  performers: DuplicatePerformer[];
  keepPerformerId: string;
}

export interface SceneFileInfo {
  id: string;
  path: string;
  width: number;
  height: number;
  videoCodec: string | null;
  bitRate: number | null;
  sizeBytes: number;
  durationSec: number;
}

export interface SceneFilesDetails {
  sceneId: string;
  sceneTitle: string | null;
  /** Best first (resolution, then bit rate, then size). */
  files: SceneFileInfo[];
  keepFileId: string;
  /** The scene's primary file when the analysis ran. */
  primaryFileId: string;
}

export interface DuplicateSceneDetails {
  /** Ascending by id; the pair is one recommendation whichever way round it was found. */
  sceneIds: string[];
  titles: (string | null)[];
  reasons: string[];
  keepSceneId: string;
}

export interface UpstreamFieldChange {
  field: PerformerField;
  local: string[];
  upstream: string[];
  /** The upstream value the user last settled with; null before the first. */
  previousUpstream: string[] | null;
}

export type UpstreamStatus = 'changed' | 'deleted' | 'merged';

export interface UpstreamPerformerDetails {
  endpoint: string;
  endpointName: string;
  stashId: string;
  performerId: string;
  performerName: string;
  upstreamUpdated: string;
  status: UpstreamStatus;
  mergedIntoId: string | null;
  changes: UpstreamFieldChange[];
  /** Every watched field's upstream value when compared: what the user settles with on accept. */
  upstream: Partial<FieldValues>;
}

export interface RecommendationDetailsByType {
  scene_performer: ScenePerformerDetails;
  duplicate_performer: DuplicatePerformerDetails;
  scene_files: SceneFilesDetails;
  duplicate_scene: DuplicateSceneDetails;
  upstream_performer_changes: UpstreamPerformerDetails;
}

/** A stored recommendation with its details typed by its `type`. */
export type RecommendationView = {
  [T in RecommendationType]: Omit<Recommendation, 'type' | 'payload'> & { type: T; summary: string; details: RecommendationDetailsByType[T] };
}[RecommendationType];

/** What an analyser found, before the store decides whether it is new, changed or dismissed. */
export interface Proposal<T extends RecommendationType = RecommendationType> {
  type: T;
  /** Identity within the type; omitted, the store joins the targets (`scene:12|scene:40`). */
  key?: string;
  targets: RecommendationTarget[];
  confidence: number;
  summary: string;
  details: RecommendationDetailsByType[T];
  /** The facts that matter: a dismissed recommendation comes back only when these change. */
  evidence: unknown;
}

/** The types analyzeLibrary runs; scene performers come from identification, upstream changes from their own job. */
export type AnalysedType = Exclude<RecommendationType, 'scene_performer' | 'upstream_performer_changes'>;
export const ANALYSED_TYPES: readonly AnalysedType[] = ['duplicate_performer', 'scene_files', 'duplicate_scene'];

export interface LibraryAnalysis {
  created: number;
  updated: number;
  unchanged: number;
  /** Dismissed or accepted before, evidence unchanged: left as decided. */
  suppressed: number;
  /** Dismissed or accepted before, evidence changed: pending again. */
  reopened: number;
  /** Pending recommendations this run no longer produced (the duplicate is gone): removed. */
  expired: number;
  /** How many recommendations each analyser produced this run (any status). */
  byType: Record<AnalysedType, number>;
}

export interface RecommendationListFilter {
  type?: RecommendationType | null;
  /** Default pending. */
  status?: RecommendationStatus | null;
  targetId?: string | null;
}

export interface RecommendationViewPage {
  edges: { cursor: string; node: RecommendationView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  countsByType: Record<RecommendationType, number>;
}
