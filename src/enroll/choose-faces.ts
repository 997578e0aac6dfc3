import type { NewFace } from '../faces/index.js';
import { cosineDistance } from '../vision/index.js';

export interface PhotoFaces {
  file: string;
  /** The photo's confident faces, embedded; the one a single photo would pick first. */
  faces: NewFace[];
}

export interface ChosenFaces {
  chosen: { file: string; face: NewFace }[];
  skipped: { file: string; reason: string }[];
}

/**
 * One face per photo of one performer, chosen by agreement with the performer's other photos: in each photo,
 * the face close (within `agreeDistance`, every model averaged) to faces in the most other photos. So a photo
 * with two people contributes the one the other photos show, not merely the largest. A photo whose faces agree
 * with none of the other photos is skipped with a reason, when there are at least two other photos to agree
 * with (with fewer, nothing can outvote it, and its first face is kept).
 */
export function chooseAgreeingFaces(photos: readonly PhotoFaces[], agreeDistance: number): ChosenFaces {
  const withFaces = photos.filter((photo) => photo.faces.length > 0);
  const chosen: ChosenFaces['chosen'] = [];
  const skipped: ChosenFaces['skipped'] = [];
  for (const photo of withFaces) {
    const others = withFaces.filter((other) => other !== photo);
    if (others.length < 2 && photo.faces.length === 1) {
      chosen.push({ file: photo.file, face: photo.faces[0]! });
      continue;
    }
    const support = photo.faces.map((face) => others.filter((other) => other.faces.some((theirs) => faceDistance(face, theirs) <= agreeDistance)).length);
    const best = support.reduce((bestIndex, value, i) => (value > support[bestIndex]! ? i : bestIndex), 0);
    if (support[best] === 0 && others.length >= 2) {
      skipped.push({ file: photo.file, reason: `no face in it agrees with the performer's ${others.length} other photos (distance > ${agreeDistance})` });
      continue;
    }
    chosen.push({ file: photo.file, face: photo.faces[best]! });
  }
  return { chosen, skipped };
}

function faceDistance(a: NewFace, b: NewFace): number {
  const models = Object.keys(a.embeddings).filter((model) => b.embeddings[model]);
  if (models.length === 0) return Infinity;
  return models.reduce((sum, model) => sum + cosineDistance(a.embeddings[model]!, b.embeddings[model]!), 0) / models.length;
}
