import type { QueryResolvers } from './../../types.generated.js';

export const recommendation: NonNullable<QueryResolvers['recommendation']> = (_parent, { id }, { recommendations }) => recommendations.get(id) ?? null;
