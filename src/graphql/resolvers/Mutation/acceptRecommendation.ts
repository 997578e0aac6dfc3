
        import type   { MutationResolvers } from './../../types.generated.js';
        export const acceptRecommendation: NonNullable<MutationResolvers['acceptRecommendation']> = async (_parent, _arg, _ctx) => { /* Implement Mutation.acceptRecommendation resolver logic here */ };