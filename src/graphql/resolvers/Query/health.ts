import type { QueryResolvers } from './../../types.generated.js';

export const health: NonNullable<QueryResolvers['health']> = (_parent, _args, { health }) => health.report();
