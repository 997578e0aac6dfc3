import type { Box } from './types.js';

export interface TilePlanOptions {
  /** The detector's fixed input size; every tile is resized to it. */
  inputWidth: number;
  inputHeight: number;
  /** Smallest face height, in detector-input pixels, that the detector finds reliably. */
  minFaceInputPx: number;
  /** Smallest face to find, as a fraction of the frame's shorter side… */
  minFaceFraction: number;
  /** …but never below this many frame pixels (smaller faces embed too poorly to be worth tiles). */
  minFacePx: number;
}

/**
 * Small embedded detector input (320×240): a 1080p frame squeezed to it loses faces under about 100 px.
 * The whole frame is always the first region; tiles follow in levels, from the finest (where a face of the
 * smallest wanted size is `minFaceInputPx` tall at detector scale) to coarser ones, three times bigger each,
 * until the whole frame is nearly at that scale. Tiles in a level overlap by the size of the smallest face
 * the next coarser level finds, so every face lies wholly inside some region that can see it.
 * With the defaults this is the whole frame plus about 6 tiles for 720p, 1080p, 4K or a 12 MP photo alike.
 */
export function planTiles(width: number, height: number, options: TilePlanOptions = EMBEDDED_TILE_PLAN): Box[] {
  const regions: Box[] = [{ x: 0, y: 0, width, height }];
  const wholeScaleX = width / options.inputWidth;
  const wholeScaleY = height / options.inputHeight;
  const wholeScale = Math.max(wholeScaleX, wholeScaleY);
  const minFace = Math.max(options.minFacePx, options.minFaceFraction * Math.min(width, height));
  let scale = minFace / options.minFaceInputPx;
  while (wholeScale > scale * 1.5) {
    const coarser = scale * 3;
    const nextScaleX = coarser * 1.5 < wholeScale ? coarser : wholeScaleX;
    const nextScaleY = coarser * 1.5 < wholeScale ? coarser : wholeScaleY;
    const tileWidth = Math.min(width, Math.round(options.inputWidth * scale));
    const tileHeight = Math.min(height, Math.round(options.inputHeight * scale));
    const xs = spread(width, tileWidth, options.minFaceInputPx * nextScaleX);
    const ys = spread(height, tileHeight, options.minFaceInputPx * nextScaleY);
    for (const y of ys) for (const x of xs) regions.push({ x, y, width: tileWidth, height: tileHeight });
    scale = coarser;
  }
  return regions;
}

export const EMBEDDED_TILE_PLAN: TilePlanOptions = {
  inputWidth: 320,
  inputHeight: 240,
  minFaceInputPx: 24,
  minFaceFraction: 1 / 18,
  minFacePx: 40,
};

/**
 * Whether a box found inside `tile` crosses (or touches, within `marginPx`) one of the tile's edges that is
 * not also an edge of the frame: such a face was cut by the tile and is seen whole by another region.
 */
export function touchesInnerEdge(box: Box, tile: Box, frameWidth: number, frameHeight: number, marginPx = 1): boolean {
  if (tile.x > 0 && box.x <= tile.x + marginPx) return true;
  if (tile.y > 0 && box.y <= tile.y + marginPx) return true;
  if (tile.x + tile.width < frameWidth && box.x + box.width >= tile.x + tile.width - marginPx) return true;
  if (tile.y + tile.height < frameHeight && box.y + box.height >= tile.y + tile.height - marginPx) return true;
  return false;
}

/** Start offsets of `tile`-long segments covering [0, length] with at least `minOverlap` between neighbours. */
function spread(length: number, tile: number, minOverlap: number): number[] {
  if (tile >= length) return [0];
  const overlap = Math.min(minOverlap, tile / 2);
  const count = Math.ceil((length - overlap) / (tile - overlap));
  if (count <= 1) return [0];
  const step = (length - tile) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}
