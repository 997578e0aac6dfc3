import type { MutationResolvers } from './../../types.generated.js';

export const compactFaceDatabase: NonNullable<MutationResolvers['compactFaceDatabase']> = (_parent, _args, { faceManagement }) => faceManagement.compact();
