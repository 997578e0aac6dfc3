import type { Box, DetectedFace } from './types.js';
import { boxArea } from './nms.js';

/**
 * The landmark model was trained on square crops whose side is the detector box's height, centred on the
 * box; the square is then clamped to the image, so a face at the border gets a (slightly) narrower crop.
 */
export function squareByHeight(box: Box, imageWidth: number, imageHeight: number): Box {
  const side = box.height;
  const centreX = box.x + box.width / 2;
  return clampBox({ x: centreX - side / 2, y: box.y, width: side, height: side }, imageWidth, imageHeight);
}

export function clampBox(box: Box, imageWidth: number, imageHeight: number): Box {
  const x1 = Math.min(Math.max(box.x, 0), imageWidth);
  const y1 = Math.min(Math.max(box.y, 0), imageHeight);
  const x2 = Math.min(Math.max(box.x + box.width, 0), imageWidth);
  const y2 = Math.min(Math.max(box.y + box.height, 0), imageHeight);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * The face a single-person image is about: the largest among the confident ones. Plain "largest" can pick a
 * blurred background face with a slightly bigger box and a lower score (see the embedded-models reference).
 */
export function pickPrimaryFace<T extends DetectedFace>(faces: readonly T[], scoreMargin = 0.02): T | undefined {
  if (faces.length === 0) return undefined;
  const best = Math.max(...faces.map((face) => face.score));
  let primary: T | undefined;
  for (const face of faces) {
    if (face.score < best - scoreMargin) continue;
    if (!primary || boxArea(face.box) > boxArea(primary.box)) primary = face;
  }
  return primary;
}
