import type { EnrolledFaceResolvers, FaceOrigin } from './../types.generated.js';

const origins: Record<string, FaceOrigin> = { file: 'FILE', stash: 'STASH', import: 'IMPORT' };

export const EnrolledFace: EnrolledFaceResolvers = {
  id: (face) => String(face.id),
  origin: (face) => (face.originKind ? (origins[face.originKind] ?? 'UNKNOWN') : 'UNKNOWN'),
  box: ({ box }) => ({ x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) }),
  thumbnail: (face, _args, { faceManagement }) => (face.hasThumbnail ? faceManagement.faceThumbnail(face.id) : null),
};
