import { describe, expect, it } from 'vitest';
import { decodeScrfd, nmsPlusOne, scrfdBlob } from '../../src/vision/scrfd-detector.js';
import { nonMaxSuppression } from '../../src/vision/nms.js';
import type { RgbImage } from '../../src/vision/index.js';

function uniform(width: number, height: number, [r, g, b]: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return { data, width, height };
}

describe('scrfdBlob', () => {
  it('letterboxes a 1920×1080 frame into the top-left 640×360 of a 640 square, det_scale 1/3', () => {
    const blob = scrfdBlob(uniform(1920, 1080, [200, 100, 50]), 640);
    expect(blob.scale).toBeCloseTo(1 / 3, 12);
    expect(blob.data).toHaveLength(3 * 640 * 640);
    const plane = 640 * 640;
    const at = (channel: number, x: number, y: number) => blob.data[channel * plane + y * 640 + x]!;
    // Planes B, G, R: stash-sense passed RGB where insightface expected BGR, so the swap hands the net BGR.
    expect([at(0, 0, 0), at(1, 0, 0), at(2, 0, 0)]).toEqual([(50 - 127.5) / 128, (100 - 127.5) / 128, (200 - 127.5) / 128].map(Math.fround));
    expect([at(0, 639, 359), at(2, 639, 359)]).toEqual([(50 - 127.5) / 128, (200 - 127.5) / 128].map(Math.fround));
    // Below the picture: the black canvas.
    expect([at(0, 0, 360), at(1, 639, 639), at(2, 320, 500)]).toEqual([-127.5 / 128, -127.5 / 128, -127.5 / 128].map(Math.fround));
  });

  it('fits a portrait image by its height and floors the width', () => {
    const blob = scrfdBlob(uniform(300, 700, [10, 20, 30]), 640);
    expect(blob.scale).toBeCloseTo(640 / 700, 12);
    const plane = 640 * 640;
    // new_w = int(640 / (700 / 300)) = 274: column 273 is picture, 274 is canvas.
    expect(blob.data[2 * plane + 639 * 640 + 273]).toBeCloseTo((10 - 127.5) / 128, 6);
    expect(blob.data[2 * plane + 639 * 640 + 274]).toBeCloseTo(-127.5 / 128, 6);
  });
});

describe('nmsPlusOne', () => {
  it('counts box areas inclusively, as insightface does, so small near-duplicates merge that plain IoU keeps', () => {
    const faces = [
      { box: { x: 0, y: 0, width: 10, height: 10 }, score: 0.9 },
      { box: { x: 4.3, y: 0, width: 10, height: 10 }, score: 0.8 },
    ];
    // Plain IoU 0.399 keeps both; with the +1 convention the overlap is 0.438 > 0.4.
    expect(nonMaxSuppression(faces, 0.4)).toHaveLength(2);
    expect(nmsPlusOne(faces, 0.4)).toEqual([faces[0]]);
  });

  it('keeps a face whose overlap is exactly the threshold', () => {
    const a = { box: { x: 0, y: 0, width: 9, height: 9 }, score: 0.9 };
    // Inclusive areas 100 each; intersection 5×10 = 50 → IoU 50/150 = 1/3.
    const b = { box: { x: 5, y: 0, width: 9, height: 9 }, score: 0.8 };
    expect(nmsPlusOne([a, b], 1 / 3)).toHaveLength(2);
    expect(nmsPlusOne([a, b], 0.33)).toHaveLength(1);
  });
});

describe('decodeScrfd', () => {
  const empty = (size: number, width: number) => new Float32Array(size * width);
  const outputs = (input: number) => {
    const counts = [8, 16, 32].map((stride) => (input / stride) ** 2 * 2);
    return { scores: counts.map((n) => empty(n, 1)), boxes: counts.map((n) => empty(n, 4)), keypoints: counts.map((n) => empty(n, 10)) };
  };

  it('refuses outputs that do not fit the input size', () => {
    const wrong = outputs(320);
    expect(() => decodeScrfd(wrong, 640, 1, 0.5)).toThrow(/stride 8: expected 12800 anchors, got 3200/);
  });

  it('places the second anchor of a cell at the same centre as the first', () => {
    const out = outputs(64);
    // Stride 16, cell (column 2, row 1), anchor 1 → index (1·4 + 2)·2 + 1 = 13, centre (32, 16).
    out.scores[1]![13] = 0.7;
    out.boxes[1]!.set([0.5, 0.5, 0.5, 0.5], 13 * 4);
    const [face] = decodeScrfd(out, 64, 0.5, 0.5);
    expect(face!.box).toEqual({ x: (32 - 8) / 0.5, y: (16 - 8) / 0.5, width: 32, height: 32 });
    expect(face!.score).toBeCloseTo(0.7, 6);
  });
});
