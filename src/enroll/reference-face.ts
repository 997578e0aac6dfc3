import { createHash } from 'node:crypto';
import type { FaceSource, NewFace } from '../faces/index.js';
import { encodeFaceThumbnail, pickPrimaryFace, type VisionPipeline } from '../vision/index.js';
import type { EnrollPolicy } from './enroll-service.js';

/**
 * The one face a reference photo contributes: the largest confident one, embedded, keyed by the photo's
 * content hash so the same photo is never enrolled twice. `where` names the photo in the skip reason.
 */
export async function embedReferenceFace(
  vision: VisionPipeline,
  policy: EnrollPolicy,
  bytes: Uint8Array,
  sourcePath: string,
  origin: NonNullable<FaceSource['origin']>,
  where = '',
): Promise<{ face: NewFace } | { skip: string }> {
  const sourceHash = createHash('sha256').update(bytes).digest('hex');
  const image = await vision.decodeImage(bytes);
  const confident = (await vision.detectFaces(image)).filter(
    (face) => face.score >= policy.minScore && Math.min(face.box.width, face.box.height) >= policy.minFacePx,
  );
  const primary = pickPrimaryFace(confident);
  if (!primary) return { skip: `no confident face${where} (score ≥ ${policy.minScore}, ≥ ${policy.minFacePx} px)` };
  const [embedded] = await vision.embedFaces(image, [primary]);
  if (!embedded) return { skip: 'the face could not be embedded' };
  const thumbnail = await encodeFaceThumbnail(image, embedded.box);
  return { face: { sourceHash, sourcePath, origin, box: embedded.box, score: embedded.score, embeddings: embedded.embeddings, thumbnail } };
}
