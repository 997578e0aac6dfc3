import type { MutationResolvers } from './../../types.generated.js';

export const startUpstreamImport: NonNullable<MutationResolvers['startUpstreamImport']> = (_parent, { dir }, { jobs }) => jobs.start('importUpstream', { dir });
