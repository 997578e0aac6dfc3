import type { MutationResolvers } from './../../types.generated.js';

export const downloadModels: NonNullable<MutationResolvers['downloadModels']> = (_parent, { profile }, { models }) => models.startDownload(profile);
