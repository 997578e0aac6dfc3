import { createHash } from 'node:crypto';
import type { NewFace } from '../faces/index.js';
import type { BodySignal } from '../pose/index.js';
import { pickPrimaryFace, type VisionPipeline } from '../vision/index.js';
import type { EnrollPolicy } from './enroll-service.js';

/**
 * The one face a reference photo contributes: the largest confident one, embedded, keyed by the photo's
 * content hash so the same photo is never enrolled twice. `where` names the photo in the skip reason.
 * With a body signal, the photo's shoulder/hip ratio under that face comes along when it gives one.
 */
export async function embedReferenceFace(
  vision: VisionPipeline,
  policy: EnrollPolicy,
  bytes: Uint8Array,
  sourcePath: string,
  where = '',
  body?: BodySignal,
): Promise<{ face: NewFace; bodyRatio?: number } | { skip: string }> {
  const sourceHash = createHash('sha256').update(bytes).digest('hex');
  const image = await vision.decodeImage(bytes);
  const confident = (await vision.detectFaces(image)).filter(
    (face) => face.score >= policy.minScore && Math.min(face.box.width, face.box.height) >= policy.minFacePx,
  );
  const primary = pickPrimaryFace(confident);
  if (!primary) return { skip: `no confident face${where} (score ≥ ${policy.minScore}, ≥ ${policy.minFacePx} px)` };
  const [embedded] = await vision.embedFaces(image, [primary]);
  if (!embedded) return { skip: 'the face could not be embedded' };
  const face = { sourceHash, sourcePath, box: embedded.box, score: embedded.score, embeddings: embedded.embeddings };
  const measured = body ? await body.measure(image, embedded.box) : undefined;
  return measured?.kind === 'measured' ? { face, bodyRatio: measured.shoulderHipRatio } : { face };
}
