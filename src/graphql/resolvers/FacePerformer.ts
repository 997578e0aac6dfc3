import type { FacePerformerResolvers } from './../types.generated.js';

export const FacePerformer: FacePerformerResolvers = {
  thumbnail: (performer, _args, { faceManagement }) => faceManagement.performerThumbnail(performer.id),
  faces: (performer, _args, { faceManagement }) => faceManagement.faces(performer.id),
};
