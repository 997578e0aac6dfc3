import { describe, expect, it } from 'vitest';
import { EMBEDDED_TILE_PLAN, planTiles, touchesInnerEdge } from '../../src/vision/tiling.js';
import type { Box } from '../../src/vision/types.js';

/** Whether some region holds the whole box. */
const coveredWhole = (regions: Box[], box: Box) =>
  regions.some((r) => box.x >= r.x && box.y >= r.y && box.x + box.width <= r.x + r.width && box.y + box.height <= r.y + r.height);

describe('planTiles', () => {
  it('looks at small frames whole, with no tiles', () => {
    expect(planTiles(640, 480)).toEqual([{ x: 0, y: 0, width: 640, height: 480 }]);
    expect(planTiles(320, 240)).toHaveLength(1);
  });

  it('tiles a 1080p frame with 800×600 tiles (a 60 px face is 24 px at detector scale) after the whole frame', () => {
    const regions = planTiles(1920, 1080);
    expect(regions[0]).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    const tiles = regions.slice(1);
    expect(tiles).toHaveLength(6);
    for (const tile of tiles) {
      expect(tile.width).toBe(800);
      expect(tile.height).toBe(600);
      expect(tile.x + tile.width).toBeLessThanOrEqual(1920);
      expect(tile.y + tile.height).toBeLessThanOrEqual(1080);
    }
  });

  it('puts every face up to the whole-frame detection limit wholly inside some tile, wherever it is', () => {
    const regions = planTiles(1920, 1080);
    // The whole frame (squeezed ×6 across, ×4.5 down) finds faces from about 100 px; tiles must cover smaller ones.
    for (let y = 0; y + 100 <= 1080; y += 37) {
      for (let x = 0; x + 100 <= 1920; x += 53) expect(coveredWhole(regions.slice(1), { x, y, width: 100, height: 100 })).toBe(true);
    }
  });

  it('uses about the same number of tiles at any resolution (tile size follows the frame)', () => {
    const counts = [
      [1280, 720],
      [1920, 1080],
      [3840, 2160],
      [4000, 3000],
      [3000, 4000],
    ].map(([w, h]) => planTiles(w!, h!).length - 1);
    for (const count of counts) {
      expect(count).toBeGreaterThanOrEqual(4);
      expect(count).toBeLessThanOrEqual(6);
    }
  });

  it('adds a coarser tile level for very wide frames', () => {
    const regions = planTiles(12000, 1000);
    const sizes = new Set(regions.slice(1).map((r) => `${r.width}x${r.height}`));
    expect(sizes.size).toBeGreaterThanOrEqual(2);
    for (let x = 0; x + 150 <= 12000; x += 97) expect(coveredWhole(regions.slice(1), { x, y: 400, width: 150, height: 150 })).toBe(true);
  });

  it('follows the options: a larger minimum face needs no tiles on 1080p', () => {
    expect(planTiles(1920, 1080, { ...EMBEDDED_TILE_PLAN, minFacePx: 200 })).toHaveLength(1);
  });
});

describe('touchesInnerEdge', () => {
  const tile = { x: 500, y: 300, width: 800, height: 600 };

  it('flags a box crossing an edge shared with another tile', () => {
    expect(touchesInnerEdge({ x: 480, y: 400, width: 60, height: 60 }, tile, 1920, 1080)).toBe(true);
    expect(touchesInnerEdge({ x: 1260, y: 400, width: 60, height: 60 }, tile, 1920, 1080)).toBe(true);
    expect(touchesInnerEdge({ x: 700, y: 870, width: 60, height: 60 }, tile, 1920, 1080)).toBe(true);
  });

  it('keeps a box inside the tile, and one touching the frame border', () => {
    expect(touchesInnerEdge({ x: 700, y: 400, width: 60, height: 60 }, tile, 1920, 1080)).toBe(false);
    const corner = { x: 1120, y: 480, width: 800, height: 600 };
    expect(touchesInnerEdge({ x: 1870, y: 1030, width: 60, height: 60 }, corner, 1920, 1080)).toBe(false);
  });
});
