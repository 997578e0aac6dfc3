import type { QueryResolvers } from './../../types.generated.js';

export const checkUpstreamRelease: NonNullable<QueryResolvers['checkUpstreamRelease']> = (_parent, _args, { upstreamImport }) => upstreamImport.checkRelease();
