import * as ort from 'onnxruntime-node';
import type { Box, RgbImage } from './types.js';
import type { FaceCandidate, FaceDetector } from './models.js';
import { resizeRegion } from './image-ops.js';
import { nonMaxSuppression } from './nms.js';
import { EMBEDDED_TILE_PLAN } from './tiling.js';
import { squareByHeight } from './face-boxes.js';
import { detectTiled, type RegionDetector, type TiledDetectionOptions } from './tiled-detection.js';

/** `threshold` is the face probability a detection needs (the library's 0.65). */
export type UltraLightOptions = TiledDetectionOptions;

export const ULTRA_LIGHT_DEFAULTS: Omit<UltraLightOptions, 'threshold'> = {
  iouThreshold: 0.4,
  tiles: EMBEDDED_TILE_PLAN,
  verifyContextFactors: [3, 4.5],
  containedFraction: 0.6,
};

const INPUT_WIDTH = 320;
const INPUT_HEIGHT = 240;

/**
 * Ultra-Light RFB-320 (fr_detect.onnx). Its graph already decodes the priors: `boxes` are normalised corner
 * boxes and `scores[:, 1]` the face probability, so there is nothing to decode here. The whole frame and
 * overlapping tiles are searched (tiled-detection.ts). Boxes come out square (side = box height) because the
 * landmark model was trained on such crops.
 */
export function createUltraLightDetector(session: ort.InferenceSession, options: UltraLightOptions): FaceDetector & RegionDetector {
  const inputName = session.inputNames[0] ?? 'input';

  async function detectRegion(image: RgbImage, region: Box): Promise<FaceCandidate[]> {
    const pixels = await resizeRegion(image, region, INPUT_WIDTH, INPUT_HEIGHT);
    const plane = INPUT_WIDTH * INPUT_HEIGHT;
    const input = new Float32Array(plane * 3);
    for (let i = 0; i < plane; i++) {
      input[i] = (pixels[i * 3]! - 127) / 128;
      input[plane + i] = (pixels[i * 3 + 1]! - 127) / 128;
      input[2 * plane + i] = (pixels[i * 3 + 2]! - 127) / 128;
    }
    const outputs = await session.run({ [inputName]: new ort.Tensor('float32', input, [1, 3, INPUT_HEIGHT, INPUT_WIDTH]) });
    const scores = outputs.scores?.data as Float32Array | undefined;
    const boxes = outputs.boxes?.data as Float32Array | undefined;
    if (!scores || !boxes) throw new Error('fr_detect.onnx did not return "scores" and "boxes"');
    const found: FaceCandidate[] = [];
    for (let i = 0; i < scores.length / 2; i++) {
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
    detectRegion,
    async detect(image) {
      const faces = await detectTiled({ detectRegion }, image, options);
      return faces
        .map((face) => ({ ...face, box: squareByHeight(face.box, image.width, image.height) }))
        .filter((face) => face.box.width >= 1 && face.box.height >= 1);
    },
  };
}
