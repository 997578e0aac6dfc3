import type { QueryResolvers } from './../../types.generated.js';

export const faceDatabase: NonNullable<QueryResolvers['faceDatabase']> = (_parent, _args, { faceDatabase }) => faceDatabase.info();
