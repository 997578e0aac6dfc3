// GraphQL spells the types and statuses in capitals (SCENE_PERFORMER); the store in snake case (scene_performer).
import type { RecommendationStatus, RecommendationType } from './types.js';

export type RecommendationTypeName = Uppercase<RecommendationType>;
export type RecommendationStatusName = Uppercase<RecommendationStatus>;

export function toTypeName(type: RecommendationType): RecommendationTypeName {
  return type.toUpperCase() as RecommendationTypeName;
}

export function fromTypeName(name: RecommendationTypeName): RecommendationType {
  return name.toLowerCase() as RecommendationType;
}

export function toStatusName(status: RecommendationStatus): RecommendationStatusName {
  return status.toUpperCase() as RecommendationStatusName;
}

export function fromStatusName(name: RecommendationStatusName): RecommendationStatus {
  return name.toLowerCase() as RecommendationStatus;
}
