import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from './types.js';

/** Integer pixel rectangle inside the image, at least 1×1: sharp's extract needs one. */
export function pixelRegion(box: Box, imageWidth: number, imageHeight: number): Box {
  const x = Math.min(Math.max(Math.trunc(box.x), 0), imageWidth - 1);
  const y = Math.min(Math.max(Math.trunc(box.y), 0), imageHeight - 1);
  const width = Math.max(1, Math.min(Math.trunc(box.width), imageWidth - x));
  const height = Math.max(1, Math.min(Math.trunc(box.height), imageHeight - y));
  return { x, y, width, height };
}

/** Cuts `region` (integer pixels) out of the image and resizes it to exactly width×height, aspect not kept. */
export async function resizeRegion(image: RgbImage, region: Box, width: number, height: number): Promise<Uint8Array> {
  let pipeline = rawInput(image);
  if (region.x !== 0 || region.y !== 0 || region.width !== image.width || region.height !== image.height) {
    pipeline = pipeline.extract({ left: region.x, top: region.y, width: region.width, height: region.height });
  }
  const data = await pipeline.resize(width, height, { fit: 'fill' }).raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function rawInput(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}
