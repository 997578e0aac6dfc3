// InsightFace SCRFD (buffalo_sc det_500m.onnx) as the Python stash-sense sidecar runs it through insightface's
// RetinaFace class (reference/upstream-pipeline.md §1.1): letterbox to 640, 3 strides × 2 anchors, decode,
// threshold, then NMS with the "+1" area convention. Boxes and landmarks come out in frame pixels.
import * as ort from 'onnxruntime-node';
import type { Box, Point, RgbImage } from './types.js';
import type { FaceCandidate, FaceDetector } from './models.js';
import type { RegionDetector } from './tiled-detection.js';
import type { ModelSession } from './onnx-sessions.js';
import { resizeOpenCv } from './opencv-resize.js';

export interface ScrfdOptions {
  /** det_size: the square input side. */
  inputSize: number;
  /** det_thresh: insightface's FaceAnalysis default is 0.5. */
  threshold: number;
  /** nms_thresh: insightface's RetinaFace default is 0.4. */
  iouThreshold: number;
}

export const SCRFD_DEFAULTS: ScrfdOptions = { inputSize: 640, threshold: 0.5, iouThreshold: 0.4 };

const STRIDES = [8, 16, 32] as const;
const ANCHORS_PER_CELL = 2;

export interface ScrfdBlob {
  /** NCHW float32, 1×3×size×size. */
  data: Float32Array;
  size: number;
  /** Resized height / original height: divides decoded coordinates back into the original's pixels. */
  scale: number;
}

/**
 * insightface's letterbox and blob: keep the aspect, resize with OpenCV INTER_LINEAR so the longer side is
 * `size` (the other side floored), paste at the top-left of a black square, then (x − 127.5) / 128.
 *
 * Channel order: insightface expects OpenCV's BGR and has blobFromImage swap it to RGB, but stash-sense hands
 * it an RGB array (PIL), so the network has always received its planes as B, G, R. We do the same so our
 * detections — and therefore the crops that were embedded into the imported database — match upstream's.
 */
export function scrfdBlob(image: RgbImage, size: number): ScrfdBlob {
  const ratio = image.height / image.width;
  const resizedWidth = ratio > 1 ? Math.max(1, Math.trunc(size / ratio)) : size;
  const resizedHeight = ratio > 1 ? size : Math.max(1, Math.trunc(size * ratio));
  const resized = resizeOpenCv(image, resizedWidth, resizedHeight, 'linear');
  const plane = size * size;
  // The canvas is black (0), which the blob turns into (0 − 127.5) / 128.
  const data = new Float32Array(3 * plane).fill(-127.5 / 128);
  const pixels = resized.data;
  for (let y = 0; y < resizedHeight; y++) {
    for (let x = 0; x < resizedWidth; x++) {
      const from = (y * resizedWidth + x) * 3;
      const to = y * size + x;
      data[to] = (pixels[from + 2]! - 127.5) / 128;
      data[plane + to] = (pixels[from + 1]! - 127.5) / 128;
      data[2 * plane + to] = (pixels[from]! - 127.5) / 128;
    }
  }
  return { data, size, scale: resizedHeight / image.height };
}

/** The 9 outputs in insightface's order: scores for strides 8, 16, 32, then box distances, then keypoint offsets. */
export interface ScrfdOutputs {
  scores: readonly Float32Array[];
  boxes: readonly Float32Array[];
  keypoints: readonly Float32Array[];
}

/**
 * Anchor centres are (column, row) × stride, each repeated for the 2 anchors of a cell. Predictions are
 * distances in stride units: box = centre ∓ d·stride, keypoint = centre + d·stride. Returns faces at or above
 * the threshold in input pixels divided by `scale`, sorted by score (highest first), before NMS.
 */
export function decodeScrfd(outputs: ScrfdOutputs, inputSize: number, scale: number, threshold: number): FaceCandidate[] {
  const found: FaceCandidate[] = [];
  STRIDES.forEach((stride, level) => {
    const scores = outputs.scores[level]!;
    const boxes = outputs.boxes[level]!;
    const keypoints = outputs.keypoints[level]!;
    const cells = Math.floor(inputSize / stride);
    const anchors = cells * cells * ANCHORS_PER_CELL;
    if (scores.length !== anchors || boxes.length !== anchors * 4 || keypoints.length !== anchors * 10) {
      throw new Error(`SCRFD stride ${stride}: expected ${anchors} anchors, got ${scores.length} scores, ${boxes.length / 4} boxes, ${keypoints.length / 10} keypoint sets`);
    }
    for (let i = 0; i < anchors; i++) {
      const score = scores[i]!;
      if (!(score >= threshold)) continue;
      const cell = Math.floor(i / ANCHORS_PER_CELL);
      const cx = (cell % cells) * stride;
      const cy = Math.floor(cell / cells) * stride;
      const x1 = (cx - boxes[i * 4]! * stride) / scale;
      const y1 = (cy - boxes[i * 4 + 1]! * stride) / scale;
      const x2 = (cx + boxes[i * 4 + 2]! * stride) / scale;
      const y2 = (cy + boxes[i * 4 + 3]! * stride) / scale;
      const landmarks: Point[] = [];
      for (let k = 0; k < 5; k++) {
        landmarks.push([(cx + keypoints[i * 10 + 2 * k]! * stride) / scale, (cy + keypoints[i * 10 + 2 * k + 1]! * stride) / scale]);
      }
      found.push({ box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }, score, landmarks });
    }
  });
  // Stable: equal scores keep stride-then-anchor order (numpy's argsort there is not stable; ties are rare).
  return found.sort((a, b) => b.score - a.score);
}

/**
 * insightface's NMS: areas and intersections count pixels inclusively, (x2 − x1 + 1)·(y2 − y1 + 1), and a face
 * is dropped only when its overlap with a kept one is above the threshold. `faces` must be sorted by score.
 */
export function nmsPlusOne<T extends { box: Box }>(faces: readonly T[], iouThreshold: number): T[] {
  const kept: T[] = [];
  const area = (box: Box) => (box.width + 1) * (box.height + 1);
  for (const face of faces) {
    const { box } = face;
    const overlapped = kept.some(({ box: other }) => {
      const width = Math.max(0, Math.min(box.x + box.width, other.x + other.width) - Math.max(box.x, other.x) + 1);
      const height = Math.max(0, Math.min(box.y + box.height, other.y + other.height) - Math.max(box.y, other.y) + 1);
      const intersection = width * height;
      return intersection / (area(box) + area(other) - intersection) > iouThreshold;
    });
    if (!overlapped) kept.push(face);
  }
  return kept;
}

/**
 * The whole frame goes through one letterboxed 640 input, as upstream does (at 640 our tile plan would add
 * no tiles below 4K anyway). `detectRegion` lets tiled detection look at part of a frame the same way.
 */
export function createScrfdDetector(session: ModelSession, options: ScrfdOptions = SCRFD_DEFAULTS): FaceDetector & RegionDetector & { detectRegion(image: RgbImage, region: Box): Promise<FaceCandidate[]> } {
  const inputName = session.inputNames[0] ?? 'input.1';
  const outputNames = session.outputNames;
  if (outputNames.length !== 9) {
    throw new Error(`the SCRFD detector has ${outputNames.length} outputs; det_500m.onnx (3 strides with keypoints) has 9`);
  }

  async function detectRegion(image: RgbImage, region: Box): Promise<FaceCandidate[]> {
    const whole = region.x === 0 && region.y === 0 && region.width === image.width && region.height === image.height;
    const source = whole ? image : cropRegion(image, region);
    const blob = scrfdBlob(source, options.inputSize);
    const results = await session.run({ [inputName]: new ort.Tensor('float32', blob.data, [1, 3, blob.size, blob.size]) });
    // Batched exports give [1, N, k] and others [N, k]: the same values in the same order either way.
    const read = (index: number) => results[outputNames[index]!]!.data as Float32Array;
    const decoded = decodeScrfd(
      { scores: [read(0), read(1), read(2)], boxes: [read(3), read(4), read(5)], keypoints: [read(6), read(7), read(8)] },
      options.inputSize,
      blob.scale,
      options.threshold,
    );
    const faces = nmsPlusOne(decoded, options.iouThreshold);
    if (whole) return faces;
    return faces.map((face) => ({
      score: face.score,
      box: { ...face.box, x: face.box.x + region.x, y: face.box.y + region.y },
      landmarks: face.landmarks?.map(([x, y]) => [x + region.x, y + region.y] as const),
    }));
  }

  return {
    detectRegion,
    // det_500m is exported with a batch of 1; the whole frame is one look anyway.
    async detectRegions(image, regions) {
      const found: FaceCandidate[][] = [];
      for (const region of regions) found.push(await detectRegion(image, region));
      return found;
    },
    detect: (image) => detectRegion(image, { x: 0, y: 0, width: image.width, height: image.height }),
  };
}

function cropRegion(image: RgbImage, region: Box): RgbImage {
  const { x, y, width, height } = region;
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { data, width, height };
}
