import { createHash } from 'node:crypto';
import type { FaceSource, NewFace } from '../faces/index.js';
import type { BodySignal } from '../pose/index.js';
import { encodeFaceThumbnail, pickPrimaryFace, type RgbImage, type VisionPipeline } from '../vision/index.js';
import type { EnrollPolicy } from './enroll-service.js';

/**
 * Every confident face of a reference photo, embedded, the one a single-person photo is about first (the largest
 * confident one); each keyed by the photo's content hash so the same photo is never enrolled twice. `where` names
 * the photo in the skip reason.
 */
export async function embedPhotoFaces(
  vision: VisionPipeline,
  policy: EnrollPolicy,
  bytes: Uint8Array,
  sourcePath: string,
  origin: NonNullable<FaceSource['origin']>,
  where = '',
): Promise<{ faces: NewFace[] } | { skip: string }> {
  return embedImageFaces(vision, policy, bytes, await vision.decodeImage(bytes), sourcePath, origin, where);
}

async function embedImageFaces(
  vision: VisionPipeline,
  policy: EnrollPolicy,
  bytes: Uint8Array,
  image: RgbImage,
  sourcePath: string,
  origin: NonNullable<FaceSource['origin']>,
  where: string,
): Promise<{ faces: NewFace[] } | { skip: string }> {
  const sourceHash = createHash('sha256').update(bytes).digest('hex');
  const confident = (await vision.detectFaces(image, { photo: true })).filter(
    (face) => face.score >= policy.minScore && Math.min(face.box.width, face.box.height) >= policy.minFacePx,
  );
  const primary = pickPrimaryFace(confident);
  if (!primary) return { skip: `no confident face${where} (score ≥ ${policy.minScore}, ≥ ${policy.minFacePx} px)` };
  const ordered = [primary, ...confident.filter((face) => face !== primary)].slice(0, policy.maxFacesPerPhoto);
  const embedded = await vision.embedFaces(image, ordered);
  if (embedded.length === 0) return { skip: 'the face could not be embedded' };
  const faces: NewFace[] = [];
  for (const face of embedded) {
    const thumbnail = await encodeFaceThumbnail(image, face.box);
    faces.push({ sourceHash, sourcePath, origin, box: face.box, score: face.score, embeddings: face.embeddings, thumbnail });
  }
  return { faces };
}

/** The one face a photo contributes when there is no other photo to agree with (a Stash performer's image). */
export async function embedReferenceFace(
  vision: VisionPipeline,
  policy: EnrollPolicy,
  bytes: Uint8Array,
  sourcePath: string,
  origin: NonNullable<FaceSource['origin']>,
  where = '',
  body?: BodySignal,
): Promise<{ face: NewFace; bodyRatio?: number } | { skip: string }> {
  // One decode serves the face and the body under it.
  const image = await vision.decodeImage(bytes);
  const outcome = await embedImageFaces(vision, { ...policy, maxFacesPerPhoto: 1 }, bytes, image, sourcePath, origin, where);
  if ('skip' in outcome) return outcome;
  const face = outcome.faces[0]!;
  const bodyRatio = body ? await measureImageBodyRatio(body, image, face.box) : undefined;
  return bodyRatio === undefined ? { face } : { face, bodyRatio };
}

/**
 * The shoulder/hip ratio under a face of a photo, when the photo shows enough of the body to give one. Folder
 * enrolment decodes the photo again here, for the face chosen among all of a performer's photos: keeping every
 * decoded photo until that choice would cost far more memory than a second decode costs time.
 */
export async function measureBodyRatio(vision: VisionPipeline, body: BodySignal, bytes: Uint8Array, box: NewFace['box']): Promise<number | undefined> {
  return measureImageBodyRatio(body, await vision.decodeImage(bytes), box);
}

async function measureImageBodyRatio(body: BodySignal, image: RgbImage, box: NewFace['box']): Promise<number | undefined> {
  const measured = await body.measure(image, box);
  return measured.kind === 'measured' ? measured.shoulderHipRatio : undefined;
}
