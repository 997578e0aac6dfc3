import type { FaceCandidate, FaceDetector } from './models.js';
import { boxArea, intersectionArea, iou, nonMaxSuppression } from './nms.js';
import { clampBox } from './face-boxes.js';
import type { RgbImage } from './types.js';

export interface HeadshotPaddingOptions {
  /** Border added on every side, as a share of the image's longer side. */
  padFraction: number;
  /** Look again on a padded copy when no face was found, or the largest face is at least this share of the image's shorter side. */
  fillFraction: number;
  /** Only images up to this many pixels get a second look (performer headshots, not video frames). */
  maxPixels: number;
  /** A face found only on the padded copy must lie at least this share inside the real image. */
  minInside: number;
  iouThreshold: number;
}

/**
 * Measured on tight Stash-style headshots (a face filling the frame): the detector was trained on faces with
 * context around them and misses or under-scores a face that touches all four edges; a 25 % grey border
 * gives it that context back.
 */
export const DEFAULT_HEADSHOT_PADDING: HeadshotPaddingOptions = { padFraction: 0.25, fillFraction: 0.5, maxPixels: 1_500_000, minInside: 0.7, iouThreshold: 0.4 };

/**
 * Wraps a detector so that boxes are clipped to the image, and a photo whose face may fill the frame is also
 * searched on a padded copy. Faces found only there are kept when mostly inside the real image (a box in the
 * padding is the detector seeing a face where there is only border), then merged with the first look.
 */
export function withHeadshotPadding(detector: FaceDetector, options: HeadshotPaddingOptions = DEFAULT_HEADSHOT_PADDING): FaceDetector {
  return {
    async detect(image) {
      const first = clipToImage(await detector.detect(image), image);
      const shorter = Math.min(image.width, image.height);
      const largest = Math.max(0, ...first.map((face) => Math.max(face.box.width, face.box.height)));
      const mayFill = first.length === 0 || largest >= options.fillFraction * shorter;
      if (!mayFill || image.width * image.height > options.maxPixels) return first;
      const pad = Math.round(options.padFraction * Math.max(image.width, image.height));
      const padded = padImage(image, pad);
      const again = (await detector.detect(padded)).flatMap((face): FaceCandidate[] => {
        const box = { ...face.box, x: face.box.x - pad, y: face.box.y - pad };
        const inside = intersectionArea(box, { x: 0, y: 0, width: image.width, height: image.height }) / Math.max(1, boxArea(box));
        if (inside < options.minInside) return [];
        const landmarks = face.landmarks?.map(([x, y]) => [x - pad, y - pad] as const);
        return [{ ...face, box, ...(landmarks ? { landmarks } : {}) }];
      });
      // The first look stands as the detector gave it; the padded look only adds faces it did not have.
      const added = nonMaxSuppression(clipToImage(again, image), options.iouThreshold).filter((face) => !first.some((known) => iou(known.box, face.box) >= options.iouThreshold));
      return [...first, ...added];
    },
  };
}

function clipToImage(faces: readonly FaceCandidate[], image: RgbImage): FaceCandidate[] {
  return faces.map((face) => ({ ...face, box: clampBox(face.box, image.width, image.height) }));
}

/** The image centred on a mid-grey canvas `pad` pixels larger on every side. */
function padImage(image: RgbImage, pad: number): RgbImage {
  const width = image.width + 2 * pad;
  const height = image.height + 2 * pad;
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + pad) * width + pad) * 3);
  }
  return { data, width, height };
}
