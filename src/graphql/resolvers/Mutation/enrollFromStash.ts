import type { MutationResolvers } from './../../types.generated.js';

export const enrollFromStash: NonNullable<MutationResolvers['enrollFromStash']> = (_parent, _args, { enroll }) => enroll.enrollFromStash();
