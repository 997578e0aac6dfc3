export { rankFaceCandidates, distanceToConfidence, missingModelDistance, type RankOptions, type RankedCandidate } from './rank-candidates.js';
export { clusterFaces, type FaceObservation, type ClusterOptions, type PersonCluster, type PersonCandidate } from './cluster-faces.js';
