import type { FacePerformerPageResolvers } from './../types.generated.js';

export const FacePerformerPage: FacePerformerPageResolvers = {};
