import * as ort from 'onnxruntime-node';
import type { Box, Point, RgbImage } from './types.js';
import type { LandmarkLocator } from './models.js';
import type { ModelSession } from './onnx-sessions.js';
import { pixelRegion, resizeRegion } from './image-ops.js';
import { fivePointsFrom68 } from './landmarks-5.js';

const SIZE = 64;
const VALUES = 68 * 2;

/**
 * fr_landmark.onnx: a 64×64 grey crop of the (square) detector box, `v/256`, → 68 (x, y) pairs normalised
 * to the crop. The crop is the integer-truncated box, as in the models' own library. Crops run `maxBatch`
 * at a time (1 for the unpatched graph).
 */
export function createLandmark68Locator(session: ModelSession, options: { maxBatch: number } = { maxBatch: 1 }): LandmarkLocator {
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames[0] ?? 'output';
  return {
    async locate(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]> {
      const regions = boxes.map((box) => pixelRegion(box, image.width, image.height));
      const crops = await Promise.all(regions.map((region) => resizeRegion(image, region, SIZE, SIZE)));
      const result: Point[][] = [];
      for (let start = 0; start < crops.length; start += options.maxBatch) {
        const batch = crops.slice(start, start + options.maxBatch);
        const input = new Float32Array(batch.length * SIZE * SIZE);
        batch.forEach((pixels, n) => {
          const offset = n * SIZE * SIZE;
          for (let i = 0; i < SIZE * SIZE; i++) {
            input[offset + i] = (0.299 * pixels[i * 3]! + 0.587 * pixels[i * 3 + 1]! + 0.114 * pixels[i * 3 + 2]!) / 256;
          }
        });
        const outputs = await session.run({ [inputName]: new ort.Tensor('float32', input, [batch.length, 1, SIZE, SIZE]) });
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
