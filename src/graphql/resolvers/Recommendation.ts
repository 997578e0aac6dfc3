import { toStatusName, toTypeName, type RecommendationView } from '../../recommendations/index.js';
import type { RecommendationResolvers, ResolversTypes } from './../types.generated.js';

export const Recommendation: RecommendationResolvers = {
  type: ({ type }) => toTypeName(type),
  status: ({ status }) => toStatusName(status),
  details: (recommendation) => withTypename(recommendation),
};

/** The union member is named by the recommendation's type. */
function withTypename(recommendation: RecommendationView): ResolversTypes['RecommendationDetails'] {
  switch (recommendation.type) {
    case 'scene_performer':
      return { __typename: 'ScenePerformerDetails', ...recommendation.details };
    case 'duplicate_performer':
      return { __typename: 'DuplicatePerformerDetails', ...recommendation.details };
    case 'scene_files':
      return { __typename: 'SceneFilesDetails', ...recommendation.details };
    case 'duplicate_scene':
      return { __typename: 'DuplicateSceneDetails', ...recommendation.details };
    case 'upstream_performer_changes':
      return { __typename: 'UpstreamPerformerDetails', ...recommendation.details };
  }
}
