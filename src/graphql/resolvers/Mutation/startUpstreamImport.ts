import type { MutationResolvers } from './../../types.generated.js';

export const startUpstreamImport: NonNullable<MutationResolvers['startUpstreamImport']> = (_parent, { dir, url, sha256 }, { jobs }) => jobs.start('importUpstream', { dir, url, sha256 });
