import * as ort from 'onnxruntime-node';
import type { Box, Point, RgbImage } from './types.js';
import type { LandmarkLocator } from './models.js';
import type { ModelSession } from './onnx-sessions.js';
import { pixelBatch, pixelRegion } from './image-ops.js';
import { fivePointsFrom68 } from './landmarks-5.js';

const SIZE = 64;
const VALUES = 68 * 2;

/** The library's grey `(0.299 r + 0.587 g + 0.114 b) / 256`, folded into the graph (onnx-pixel-input.ts). */
export const LANDMARK_68_PIXELS = { kind: 'grey', weights: [0.299 / 256, 0.587 / 256, 0.114 / 256] } as const;

/**
 * fr_landmark.onnx, its grey conversion folded into the graph: a 64×64 crop of the (square) detector box →
 * 68 (x, y) pairs normalised to the crop. The crop is the integer-truncated box, as in the models' own
 * library. Crops run `maxBatch` at a time (1 for the unpatched graph).
 */
export function createLandmark68Locator(session: ModelSession, options: { maxBatch: number } = { maxBatch: 1 }): LandmarkLocator {
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames[0] ?? 'output';
  return {
    async locate(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]> {
      const regions = boxes.map((box) => pixelRegion(box, image.width, image.height));
      const result: Point[][] = [];
      for (let start = 0; start < regions.length; start += options.maxBatch) {
        const batch = regions.slice(start, start + options.maxBatch);
        const input = await pixelBatch(image, batch, SIZE, SIZE);
        const outputs = await session.run({ [inputName]: new ort.Tensor('uint8', input, [batch.length, SIZE, SIZE, 3]) });
        const out = outputs[outputName]?.data as Float32Array | undefined;
        if (!out || out.length !== batch.length * VALUES) throw new Error(`fr_landmark.onnx did not return ${VALUES} values per crop`);
        batch.forEach((_, n) => {
          const region = regions[start + n]!;
          const points: Point[] = [];
          for (let k = 0; k < 68; k++) points.push([out[n * VALUES + 2 * k]! * region.width + region.x, out[n * VALUES + 2 * k + 1]! * region.height + region.y]);
          result.push(fivePointsFrom68(points));
        });
      }
      return result;
    },
  };
}
