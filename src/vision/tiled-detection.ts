import type { Box, RgbImage } from './types.js';
import type { FaceCandidate } from './models.js';
import { pixelRegion } from './image-ops.js';
import { boxArea, intersectionArea, iou, nonMaxSuppression } from './nms.js';
import { planTiles, touchesInnerEdge, type TilePlanOptions } from './tiling.js';
import { clampBox } from './face-boxes.js';

/**
 * A detector that looks at regions of a frame (each resized to its input) and reports boxes in frame pixels,
 * one list per region; it runs them in as few model calls as its batch allows.
 */
export interface RegionDetector {
  detectRegions(image: RgbImage, regions: readonly Box[]): Promise<FaceCandidate[][]>;
}

export interface TiledDetectionOptions {
  tiles: TilePlanOptions;
  threshold: number;
  iouThreshold: number;
  /** Context windows (face height × factor, detector aspect) in which a tile-only face must be found again. */
  verifyContextFactors: readonly number[];
  /** A face mostly (this share of its area) inside a bigger, at-least-as-confident face is part of it. */
  containedFraction: number;
}

/**
 * Whole frame plus tiles, merged. Tiles magnify the frame, and a small detector then "sees" faces in
 * shoulders, hair or half a face; so a face only a tile found is kept only if the detector finds it again in
 * wider context windows around it, and its score becomes the lowest of those looks. Whole-frame detections
 * are taken as they are, as the models' own library does.
 */
export async function detectTiled(detector: RegionDetector, image: RgbImage, options: TiledDetectionOptions): Promise<FaceCandidate[]> {
  const { width, height } = image;
  const whole: FaceCandidate[] = [];
  const fromTiles: FaceCandidate[] = [];
  const regions = planTiles(width, height, options.tiles).map((tile) => pixelRegion(tile, width, height));
  for (const [index, faces] of (await detector.detectRegions(image, regions)).entries()) {
    for (const face of faces) {
      // A face cut by a tile edge also lies whole in a neighbouring tile or in a coarser region.
      if (index > 0 && touchesInnerEdge(face.box, regions[index]!, width, height)) continue;
      (index === 0 ? whole : fromTiles).push(face);
    }
  }
  const merged = suppressContained(nonMaxSuppression([...whole, ...fromTiles], options.iouThreshold), options.containedFraction);
  const seenWhole = (face: FaceCandidate) => whole.some((other) => iou(other.box, face.box) >= options.iouThreshold);
  const unconfirmed = merged.filter((face) => !seenWhole(face));
  // Every context window of every tile-only face in one look: a batch costs less than stopping early saves.
  const factors = options.verifyContextFactors;
  const windows = unconfirmed.flatMap((face) => factors.map((factor) => contextWindow(face.box, factor, width, height)));
  const looks = windows.length > 0 ? await detector.detectRegions(image, windows) : [];
  const verified = new Map<FaceCandidate, number>();
  unconfirmed.forEach((face, i) => {
    let score = face.score;
    for (const again of looks.slice(i * factors.length, (i + 1) * factors.length)) {
      score = Math.min(score, Math.max(0, ...again.filter((other) => iou(other.box, face.box) >= options.iouThreshold).map((other) => other.score)));
    }
    verified.set(face, score);
  });
  return merged.flatMap((face) => {
    const score = verified.get(face);
    if (score === undefined) return [face];
    return score >= options.threshold ? [{ ...face, score }] : [];
  });
}

/** Drops faces lying mostly inside a bigger face that scores at least as high (eyes, a cheek, glasses). */
export function suppressContained<T extends { box: Box; score: number }>(faces: readonly T[], containedFraction: number): T[] {
  return faces.filter(
    (face) =>
      !faces.some(
        (other) =>
          other !== face &&
          boxArea(other.box) > boxArea(face.box) &&
          other.score >= face.score &&
          intersectionArea(other.box, face.box) >= containedFraction * boxArea(face.box),
      ),
  );
}

function contextWindow(box: Box, factor: number, width: number, height: number): Box {
  const windowHeight = box.height * factor;
  const windowWidth = (windowHeight * 4) / 3;
  const centreX = box.x + box.width / 2;
  const centreY = box.y + box.height / 2;
  const window = { x: centreX - windowWidth / 2, y: centreY - windowHeight / 2, width: windowWidth, height: windowHeight };
  return pixelRegion(clampBox(window, width, height), width, height);
}
