export { rankFaceCandidates, distanceToConfidence, missingModelDistance, type RankOptions, type RankedCandidate } from './rank-candidates.js';
export {
  clusterFaces,
  type FaceObservation,
  type ClusterOptions,
  type PersonCluster,
  type PersonCandidate,
  type PersonEvidence,
  type TemplateMatch,
} from './cluster-faces.js';
export {
  EMBEDDED_CALIBRATION,
  FALSE_MATCH_RATE,
  NAME_CONFIDENCE,
  candidateDistanceLimit,
  calibrationFor,
  matchConfidence,
  openSetThreshold,
  type MatchCalibration,
  type MatchEvidence,
} from './open-set.js';
export { createMatchPolicy, matchPolicyFor, type MatchPolicy } from './match-policy.js';
export { normalQuantile } from './normal-quantile.js';
