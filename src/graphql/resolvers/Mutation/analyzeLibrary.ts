
        import type   { MutationResolvers } from './../../types.generated.js';
        export const analyzeLibrary: NonNullable<MutationResolvers['analyzeLibrary']> = async (_parent, _arg, _ctx) => { /* Implement Mutation.analyzeLibrary resolver logic here */ };