import type { MutationResolvers } from './../../types.generated.js';

export const startEnrollFolder: NonNullable<MutationResolvers['startEnrollFolder']> = (_parent, { dir }, { jobs }) => jobs.start('enrollFolder', { dir });
