import { ANALYSED_TYPES } from '../../recommendations/index.js';
import type { LibraryAnalysisResolvers } from './../types.generated.js';

export const LibraryAnalysis: LibraryAnalysisResolvers = {
  byType: ({ byType }) => ANALYSED_TYPES.map((type) => ({ type, count: byType[type] })),
};
