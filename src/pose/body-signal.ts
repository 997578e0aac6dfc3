import sharp from 'sharp';
import type { Box, RgbImage } from '../vision/index.js';
import { bodyCropFor, letterbox } from './body-crop.js';
import type { PoseEstimator } from './movenet.js';
import { shoulderHipRatio } from './shoulder-hip.js';
import type { BodyMeasurement } from './types.js';

/** Measures the body under a face: one pose run on that person's own crop. */
export interface BodySignal {
  measure(image: RgbImage, face: Box): Promise<BodyMeasurement>;
  close(): void;
}

export function createBodySignal(estimator: PoseEstimator): BodySignal {
  return {
    async measure(image, face) {
      const crop = bodyCropFor(face, image.width, image.height);
      if (!crop) return { kind: 'none', reason: 'BODY_OUT_OF_FRAME' };
      const side = estimator.inputSide;
      const fit = letterbox(crop.box.width, crop.box.height, side);
      const input = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .extract({ left: crop.box.x, top: crop.box.y, width: crop.box.width, height: crop.box.height })
        .resize(fit.scaledWidth, fit.scaledHeight, { fit: 'fill' })
        .extend({
          left: fit.offsetX,
          top: fit.offsetY,
          right: side - fit.scaledWidth - fit.offsetX,
          bottom: side - fit.scaledHeight - fit.offsetY,
          background: { r: 0, g: 0, b: 0 },
        })
        .raw()
        .toBuffer();
      const keypoints = (await estimator.estimate(new Uint8Array(input.buffer, input.byteOffset, input.byteLength))).map((point) => ({
        x: (point.x - fit.offsetX) / fit.scale,
        y: (point.y - fit.offsetY) / fit.scale,
        score: point.score,
      }));
      return shoulderHipRatio(keypoints, { width: crop.box.width, height: crop.box.height, clippedBottom: crop.clippedBottom });
    },
    close: () => estimator.close(),
  };
}
