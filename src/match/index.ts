export { rankFaceCandidates, distanceToConfidence, missingModelDistance, type RankOptions, type RankedCandidate } from './rank-candidates.js';
