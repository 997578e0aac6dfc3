import type   { LibraryAnalysisResolvers } from './../types.generated.js';
    export const LibraryAnalysis: LibraryAnalysisResolvers = {
    /* Implement LibraryAnalysis resolver logic here */
  };