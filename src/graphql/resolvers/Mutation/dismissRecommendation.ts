
        import type   { MutationResolvers } from './../../types.generated.js';
        export const dismissRecommendation: NonNullable<MutationResolvers['dismissRecommendation']> = async (_parent, _arg, _ctx) => { /* Implement Mutation.dismissRecommendation resolver logic here */ };