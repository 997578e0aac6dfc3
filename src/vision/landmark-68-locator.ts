import * as ort from 'onnxruntime-node';
import type { Box, Point, RgbImage } from './types.js';
import type { LandmarkLocator } from './models.js';
import { pixelRegion, resizeRegion } from './image-ops.js';
import { fivePointsFrom68 } from './landmarks-5.js';

const SIZE = 64;

/**
 * fr_landmark.onnx: a 64×64 grey crop of the (square) detector box, `v/256`, → 68 (x, y) pairs normalised
 * to the crop. The crop is the integer-truncated box, as in the models' own library.
 */
export function createLandmark68Locator(session: ort.InferenceSession): LandmarkLocator {
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames[0] ?? 'output';
  return {
    async locate(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]> {
      const crops = await Promise.all(
        boxes.map(async (box) => {
          const region = pixelRegion(box, image.width, image.height);
          return { region, pixels: await resizeRegion(image, region, SIZE, SIZE) };
        }),
      );
      const result: Point[][] = [];
      for (const { region, pixels } of crops) {
        const input = new Float32Array(SIZE * SIZE);
        for (let i = 0; i < input.length; i++) {
          input[i] = (0.299 * pixels[i * 3]! + 0.587 * pixels[i * 3 + 1]! + 0.114 * pixels[i * 3 + 2]!) / 256;
        }
        const outputs = await session.run({ [inputName]: new ort.Tensor('float32', input, [1, 1, SIZE, SIZE]) });
        const out = outputs[outputName]?.data as Float32Array | undefined;
        if (!out || out.length !== 136) throw new Error('fr_landmark.onnx did not return 136 values');
        const points: Point[] = [];
        for (let k = 0; k < 68; k++) points.push([out[2 * k]! * region.width + region.x, out[2 * k + 1]! * region.height + region.y]);
        result.push(fivePointsFrom68(points));
      }
      return result;
    },
  };
}
