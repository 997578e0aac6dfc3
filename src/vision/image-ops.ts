import sharp, { type Sharp } from 'sharp';
import type { Box, RgbImage } from './types.js';
import { clampBox } from './face-boxes.js';

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

/**
 * Each region resized to width×height (sharp, in parallel), packed one after another as one N×H×W×3 byte
 * batch: the input of a model whose graph normalises its own pixels (onnx-pixel-input.ts).
 */
export async function pixelBatch(image: RgbImage, regions: readonly Box[], width: number, height: number): Promise<Uint8Array> {
  const resized = await Promise.all(regions.map((region) => resizeRegion(image, region, width, height)));
  const size = width * height * 3;
  const batch = new Uint8Array(regions.length * size);
  resized.forEach((pixels, n) => batch.set(pixels, n * size));
  return batch;
}

export function rawInput(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Pixels kept for a thumbnail made later, and the face's box in them. */
export interface FaceRegion {
  image: RgbImage;
  box: Box;
}

/**
 * The part of the frame a later `cropSquareJpeg(region.image, region.box, …, margin)` shows, copied row by row
 * so the frame can go; a close-up larger than `maxSidePx` is scaled down to it (the thumbnail is smaller still).
 */
export async function keepFaceRegion(image: RgbImage, box: Box, margin: number, maxSidePx: number): Promise<FaceRegion> {
  const side = Math.max(box.width, box.height) * margin;
  const square = { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
  const visible = pixelRegion(clampBox(square, image.width, image.height), image.width, image.height);
  const data = new Uint8Array(visible.width * visible.height * 3);
  for (let row = 0; row < visible.height; row++) {
    const from = ((visible.y + row) * image.width + visible.x) * 3;
    data.set(image.data.subarray(from, from + visible.width * 3), row * visible.width * 3);
  }
  const relative = { ...box, x: box.x - visible.x, y: box.y - visible.y };
  const scale = maxSidePx / Math.max(visible.width, visible.height);
  if (scale >= 1) return { image: { data, width: visible.width, height: visible.height }, box: relative };
  const width = Math.max(1, Math.round(visible.width * scale));
  const height = Math.max(1, Math.round(visible.height * scale));
  const smaller = await resizeRegion({ data, width: visible.width, height: visible.height }, { x: 0, y: 0, width: visible.width, height: visible.height }, width, height);
  return {
    image: { data: smaller, width, height },
    box: { x: relative.x * (width / visible.width), y: relative.y * (height / visible.height), width: relative.width * (width / visible.width), height: relative.height * (height / visible.height) },
  };
}

/**
 * A `sizePx` square JPEG centred on the box, `margin` times its larger side; what falls outside the frame is
 * padded black so the face stays centred.
 */
export async function cropSquareJpeg(image: RgbImage, box: Box, sizePx: number, margin: number): Promise<Buffer> {
  const side = Math.max(box.width, box.height) * margin;
  const square = { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
  const visible = pixelRegion(clampBox(square, image.width, image.height), image.width, image.height);
  const squarePx = Math.max(1, Math.round(side));
  const left = Math.max(0, Math.round(visible.x - square.x));
  const top = Math.max(0, Math.round(visible.y - square.y));
  const padded = await rawInput(image)
    .extract({ left: visible.x, top: visible.y, width: visible.width, height: visible.height })
    .extend({
      left,
      top,
      right: Math.max(0, squarePx - left - visible.width),
      bottom: Math.max(0, squarePx - top - visible.height),
      background: { r: 0, g: 0, b: 0 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(padded.data, { raw: { width: padded.info.width, height: padded.info.height, channels: 3 } })
    .resize(sizePx, sizePx, { fit: 'fill' })
    .jpeg({ quality: 85 })
    .toBuffer();
}
