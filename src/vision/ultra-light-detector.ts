import * as ort from 'onnxruntime-node';
import type { Box, RgbImage } from './types.js';
import type { FaceCandidate, FaceDetector } from './models.js';
import type { ModelSession } from './onnx-sessions.js';
import { pixelBatch } from './image-ops.js';
import { nonMaxSuppression } from './nms.js';
import { EMBEDDED_TILE_PLAN } from './tiling.js';
import { squareByHeight } from './face-boxes.js';
import { detectTiled, type RegionDetector, type TiledDetectionOptions } from './tiled-detection.js';

/** `threshold` is the face probability a detection needs (the library's 0.65). */
export interface UltraLightOptions extends TiledDetectionOptions {
  /** Regions per run; 1 for the unpatched graph. */
  maxBatch: number;
}

export const ULTRA_LIGHT_DEFAULTS: Omit<UltraLightOptions, 'threshold' | 'maxBatch'> = {
  iouThreshold: 0.4,
  tiles: EMBEDDED_TILE_PLAN,
  verifyContextFactors: [3, 4.5],
  containedFraction: 0.6,
};

const INPUT_WIDTH = 320;
const INPUT_HEIGHT = 240;

/** The library's `(v − 127) / 128`, folded into the graph (onnx-pixel-input.ts). */
export const ULTRA_LIGHT_PIXELS = { kind: 'rgb', mean: 127, std: 128 } as const;

/**
 * Ultra-Light RFB-320 (fr_detect.onnx), its pixel preprocessing folded into the graph. Its graph already decodes the priors: `boxes` are normalised corner
 * boxes and `scores[:, 1]` the face probability, so there is nothing to decode here. The whole frame and
 * overlapping tiles are searched (tiled-detection.ts), all regions of a look in one run. Boxes come out square
 * (side = box height) because the landmark model was trained on such crops.
 */
export function createUltraLightDetector(
  session: ModelSession,
  options: UltraLightOptions,
): FaceDetector & RegionDetector & { detectRegion(image: RgbImage, region: Box): Promise<FaceCandidate[]> } {
  const inputName = session.inputNames[0] ?? 'input';

  async function detectRegions(image: RgbImage, regions: readonly Box[]): Promise<FaceCandidate[][]> {
    const found: FaceCandidate[][] = [];
    for (let start = 0; start < regions.length; start += options.maxBatch) {
      const batch = regions.slice(start, start + options.maxBatch);
      const input = await pixelBatch(image, batch, INPUT_WIDTH, INPUT_HEIGHT);
      const outputs = await session.run({ [inputName]: new ort.Tensor('uint8', input, [batch.length, INPUT_HEIGHT, INPUT_WIDTH, 3]) });
      const scores = outputs.scores?.data as Float32Array | undefined;
      const boxes = outputs.boxes?.data as Float32Array | undefined;
      if (!scores || !boxes) throw new Error('fr_detect.onnx did not return "scores" and "boxes"');
      const priors = scores.length / 2 / batch.length;
      batch.forEach((region, b) => found.push(decode(scores, boxes, b * priors, priors, region)));
    }
    return found;
  }

  function decode(scores: Float32Array, boxes: Float32Array, first: number, count: number, region: Box): FaceCandidate[] {
    const found: FaceCandidate[] = [];
    for (let i = first; i < first + count; i++) {
      const score = scores[i * 2 + 1]!;
      if (score < options.threshold) continue;
      const x1 = region.x + boxes[i * 4]! * region.width;
      const y1 = region.y + boxes[i * 4 + 1]! * region.height;
      const x2 = region.x + boxes[i * 4 + 2]! * region.width;
      const y2 = region.y + boxes[i * 4 + 3]! * region.height;
      if (x2 <= x1 || y2 <= y1) continue;
      found.push({ box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, score });
    }
    return nonMaxSuppression(found, options.iouThreshold);
  }

  return {
    detectRegions,
    detectRegion: async (image, region) => (await detectRegions(image, [region]))[0] ?? [],
    async detect(image) {
      const faces = await detectTiled({ detectRegions }, image, options);
      return faces
        .map((face) => ({ ...face, box: squareByHeight(face.box, image.width, image.height) }))
        .filter((face) => face.box.width >= 1 && face.box.height >= 1);
    },
  };
}

