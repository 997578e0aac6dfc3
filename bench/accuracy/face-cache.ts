// Per-image detections and embeddings, cached on disk by (file content hash, model profile, settings), so a
// tuning iteration over thousands of photos reads vectors instead of running the models again.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Box, Point, VisionPipeline } from '../../src/vision/index.js';

export interface CachedFace {
  box: Box;
  score: number;
  landmarks: Point[];
  /** Model name → embedding. */
  embeddings: Record<string, Float32Array>;
  /** 0–1, from src/vision face quality, when the pipeline reports it. */
  quality?: number;
}

export interface CachedImage {
  width: number;
  height: number;
  faces: CachedFace[];
}

export interface FaceCache {
  analyze(bytes: Uint8Array): Promise<CachedImage>;
  readonly hits: number;
  readonly misses: number;
}

/** `settingsKey` names everything that changes what the pipeline returns for the same bytes. */
export function openFaceCache(vision: VisionPipeline, settingsKey: string, dir = join(tmpdir(), 'stash-sense-accuracy-cache')): FaceCache {
  const root = join(dir, createHash('sha256').update(`${vision.profile}|${settingsKey}`).digest('hex').slice(0, 16));
  mkdirSync(root, { recursive: true });
  let hits = 0;
  let misses = 0;
  return {
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    async analyze(bytes) {
      const key = createHash('sha256').update(bytes).digest('hex');
      const file = join(root, `${key}.json`);
      if (existsSync(file)) {
        hits += 1;
        return revive(JSON.parse(readFileSync(file, 'utf8')) as StoredImage);
      }
      misses += 1;
      const analysis = await vision.analyzeImage(bytes);
      const stored: StoredImage = {
        width: analysis.width,
        height: analysis.height,
        faces: analysis.faces.map((face) => ({
          box: face.box,
          score: face.score,
          landmarks: face.landmarks,
          quality: (face as { quality?: number }).quality,
          embeddings: Object.fromEntries(Object.entries(face.embeddings).map(([name, vector]) => [name, Array.from(vector)])),
        })),
      };
      writeFileSync(file, JSON.stringify(stored));
      return revive(stored);
    },
  };
}

interface StoredImage {
  width: number;
  height: number;
  faces: (Omit<CachedFace, 'embeddings'> & { embeddings: Record<string, number[]> })[];
}

function revive(stored: StoredImage): CachedImage {
  return {
    width: stored.width,
    height: stored.height,
    faces: stored.faces.map((face) => ({
      ...face,
      embeddings: Object.fromEntries(Object.entries(face.embeddings).map(([name, vector]) => [name, Float32Array.from(vector)])),
    })),
  };
}
