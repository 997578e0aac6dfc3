
        import type   { QueryResolvers } from './../../types.generated.js';
        export const recommendations: NonNullable<QueryResolvers['recommendations']> = async (_parent, _arg, _ctx) => { /* Implement Query.recommendations resolver logic here */ };