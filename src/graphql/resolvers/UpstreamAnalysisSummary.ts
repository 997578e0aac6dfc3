import type { UpstreamAnalysisSummaryResolvers } from './../types.generated.js';

export const UpstreamAnalysisSummary: UpstreamAnalysisSummaryResolvers = {};
