import type { MutationResolvers } from './../../types.generated.js';

export const startEnrollFromStash: NonNullable<MutationResolvers['startEnrollFromStash']> = (_parent, _args, { jobs }) => jobs.start('enrollFromStash', {});
