import type { Box } from '../vision/index.js';
import type { BodyCrop } from './types.js';

/**
 * Crop geometry around a face box, in face-box units. A face box is about one head high; hips sit about
 * 3–3.5 heads below the chin, so 6.5 face heights below the face shows the hips with room to spare, and
 * 2 face widths beside the face on each side (5 in all) holds turned shoulders and hips. A crop per person
 * keeps a neighbour's limbs out: single-pose MoveNet on a whole frame mixes two people's keypoints.
 */
export const BODY_CROP = {
  aboveFaceHeights: 0.5,
  belowFaceHeights: 6.5,
  sideFaceWidths: 2,
  /**
   * With fewer face heights of image below the face the hips cannot be in the picture: no pose run. On the
   * shared photos the hips sat 2.8 (embedded detector's box) face heights below the face.
   */
  minBelowFaceHeights: 3,
} as const;

/** The body crop for a face, clamped to the image; undefined when the image ends above the hips (a close-up). */
export function bodyCropFor(face: Box, imageWidth: number, imageHeight: number): BodyCrop | undefined {
  const faceBottom = face.y + face.height;
  if (imageHeight - faceBottom < BODY_CROP.minBelowFaceHeights * face.height) return undefined;
  const centreX = face.x + face.width / 2;
  const left = Math.max(0, Math.floor(centreX - BODY_CROP.sideFaceWidths * face.width - face.width / 2));
  const right = Math.min(imageWidth, Math.ceil(centreX + BODY_CROP.sideFaceWidths * face.width + face.width / 2));
  const top = Math.max(0, Math.floor(face.y - BODY_CROP.aboveFaceHeights * face.height));
  const wantedBottom = Math.ceil(faceBottom + BODY_CROP.belowFaceHeights * face.height);
  const bottom = Math.min(imageHeight, wantedBottom);
  if (right - left < 2 || bottom - top < 2) return undefined;
  return { box: { x: left, y: top, width: right - left, height: bottom - top }, clippedBottom: wantedBottom > imageHeight };
}

/** Where a crop lands inside the model's square input: scaled to fit, centred, the rest padded black. */
export interface Letterbox {
  scale: number;
  offsetX: number;
  offsetY: number;
  scaledWidth: number;
  scaledHeight: number;
}

export function letterbox(width: number, height: number, side: number): Letterbox {
  const scale = side / Math.max(width, height);
  const scaledWidth = Math.max(1, Math.min(side, Math.round(width * scale)));
  const scaledHeight = Math.max(1, Math.min(side, Math.round(height * scale)));
  return { scale, offsetX: Math.floor((side - scaledWidth) / 2), offsetY: Math.floor((side - scaledHeight) / 2), scaledWidth, scaledHeight };
}
