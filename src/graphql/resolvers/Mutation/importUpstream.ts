import type { MutationResolvers } from './../../types.generated.js';

export const importUpstream: NonNullable<MutationResolvers['importUpstream']> = (_parent, { dir }, { upstreamImport }) => upstreamImport.importRelease(dir);
