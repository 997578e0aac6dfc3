// The body signal's place in identification: measure the people whose call it could change, then let the
// pure adjustForBody (src/pose) move their candidates. Runs after the face-only confidences are final.
import type { FaceDatabase } from '../faces/index.js';
import { BODY_ADJUST, adjustForBody, type BodySignal, type BodyEffect } from '../pose/index.js';
import type { Box, RgbImage } from '../vision/index.js';

/**
 * Whether measuring a body could change this face's result: it has a close call (the best face-only match is
 * not already confident) and at least one candidate has a body reference. Saves a pose run otherwise.
 */
export function bodyCouldMatter(candidates: readonly { performerId: string; confidence: number }[], references: ReadonlySet<string> | ReadonlyMap<string, unknown>): boolean {
  const best = candidates[0];
  return best !== undefined && best.confidence < BODY_ADJUST.confidentMatch && candidates.some((candidate) => references.has(candidate.performerId));
}

/** The body signal over one image's identified faces: each face is measured on its own crop. */
export async function applyBodyToFaces<F extends { box: Box; candidates: C[] }, C extends { performerId: string; confidence: number }>(
  body: BodySignal,
  database: FaceDatabase,
  image: RgbImage,
  faces: readonly F[],
): Promise<(F & { candidates: (C & { bodyMultiplier: number })[]; body: BodyEffect })[]> {
  const references = database.getBodyReferences([...new Set(faces.flatMap((face) => face.candidates.map((candidate) => candidate.performerId)))]);
  const adjusted = [];
  for (const face of faces) {
    const measurement = bodyCouldMatter(face.candidates, references) ? await body.measure(image, face.box) : undefined;
    const result = adjustForBody(face.candidates, measurement, references);
    adjusted.push({ ...face, candidates: result.candidates, body: result.effect });
  }
  return adjusted;
}
