// A small JPEG of one face, kept with an enrolled face so people managing the database can see whose it is.
import sharp from 'sharp';
import type { Box, RgbImage } from './types.js';

/** 96 px square at quality 80 is about 3 KB: 100k faces add about 300 MB to performers.db. */
export const THUMBNAIL_PX = 96;
const THUMBNAIL_QUALITY = 80;
/** Around the detector's box, so hair and chin show and the face is recognisable to a person. */
const MARGIN = 0.25;

export async function encodeFaceThumbnail(image: RgbImage, box: Box): Promise<Uint8Array> {
  const side = Math.max(box.width, box.height) * (1 + 2 * MARGIN);
  const centreX = box.x + box.width / 2;
  const centreY = box.y + box.height / 2;
  const left = clamp(Math.round(centreX - side / 2), 0, image.width - 1);
  const top = clamp(Math.round(centreY - side / 2), 0, image.height - 1);
  const width = clamp(Math.round(side), 1, image.width - left);
  const height = clamp(Math.round(side), 1, image.height - top);
  const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'cover' })
    .jpeg({ quality: THUMBNAIL_QUALITY })
    .toBuffer();
  return new Uint8Array(jpeg);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
