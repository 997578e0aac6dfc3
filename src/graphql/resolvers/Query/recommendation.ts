
        import type   { QueryResolvers } from './../../types.generated.js';
        export const recommendation: NonNullable<QueryResolvers['recommendation']> = async (_parent, _arg, _ctx) => { /* Implement Query.recommendation resolver logic here */ };