// Vision pipeline (embedded profile): per-stage cost per image and per face over the shared photos, for a few
// ONNX Runtime thread settings, and batched vs one-by-one embedding.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Benchmark, BenchRow } from './report.js';
import { silentLogger } from '../src/logger.js';
import {
  cosineDistance,
  createVisionPipeline,
  pickPrimaryFace,
  type ImageAnalysis,
  type VisionConfig,
  type VisionTuning,
} from '../src/vision/index.js';

const facesDir = resolve(process.cwd(), '../shared/faces');
const config: VisionConfig = {
  modelsDir: resolve(process.cwd(), 'models'),
  profile: 'embedded',
  executionProvider: 'auto',
  maxImagePixels: 100_000_000,
  detectionThreshold: 0.65,
  flip: true,
};

const PASSES = 2;
const threadSettings: { label: string; tuning: Partial<VisionTuning> }[] = [
  { label: 'threads=default spin=off', tuning: { intraOpNumThreads: 0, allowSpinning: false } },
  { label: 'threads=default spin=on', tuning: { intraOpNumThreads: 0, allowSpinning: true } },
  { label: 'threads=1', tuning: { intraOpNumThreads: 1, allowSpinning: false } },
  { label: 'threads=2 spin=off', tuning: { intraOpNumThreads: 2, allowSpinning: false } },
];

export const benchmark: Benchmark = {
  name: 'vision (embedded profile)',
  async run() {
    const photos = readManifest();
    const bytes = photos.map((photo) => readFileSync(join(facesDir, photo.file)));
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    let provider = '';
    let analyses: ImageAnalysis[] = [];

    // All settings side by side, image by image in rotating order, best of PASSES: on a small shared machine
    // the load changes minute to minute, and this keeps that out of the comparison.
    const pipelines = [];
    for (const { label, tuning } of threadSettings) pipelines.push({ label, vision: await createVisionPipeline(config, silentLogger, tuning) });
    try {
      provider = `${pipelines[0]!.vision.executionProvider} (${pipelines[0]!.vision.executionProviderReason})`;
      for (const { vision } of pipelines) for (const image of bytes) await vision.analyzeImage(image);
      const best = pipelines.map(() => bytes.map(() => ({ wallMs: Infinity, analysis: undefined as ImageAnalysis | undefined })));
      for (let pass = 0; pass < PASSES; pass++) {
        for (const [i, image] of bytes.entries()) {
          for (let k = 0; k < pipelines.length; k++) {
            const which = (k + i + pass) % pipelines.length;
            const started = performance.now();
            const analysis = await pipelines[which]!.vision.analyzeImage(image);
            const wallMs = performance.now() - started;
            const slot = best[which]![i]!;
            if (wallMs < slot.wallMs) Object.assign(slot, { wallMs, analysis });
          }
        }
      }
      for (const [which, { label }] of pipelines.entries()) {
        const pass = best[which]!.map((slot) => slot.analysis!);
        const wallMs = best[which]!.reduce((sum, slot) => sum + slot.wallMs, 0);
        if (analyses.length === 0) analyses = pass;
        const faces = pass.reduce((sum, analysis) => sum + analysis.faces.length, 0);
        const total = (stage: keyof ImageAnalysis['timings']) => pass.reduce((sum, analysis) => sum + analysis.timings[stage], 0);
        rows.push({
          measure: 'stages',
          setting: label,
          images: pass.length,
          faces,
          decodeMsPerImage: total('decodeMs') / pass.length,
          detectMsPerImage: total('detectMs') / pass.length,
          landmarksMsPerFace: total('landmarksMs') / faces,
          alignMsPerFace: total('alignMs') / faces,
          embedMsPerFace: total('embedMs') / faces,
          msPerImage: wallMs / pass.length,
          facesPerSecond: (faces * 1000) / wallMs,
        });
      }
    } finally {
      for (const { vision } of pipelines) await vision.close();
    }

    rows.push(...(await compareBatching(bytes)));

    const calibration = distances(photos, analyses);
    notes.push(`execution provider: ${provider}`);
    notes.push('embed = flip-averaged (2 model images per face); detect = whole frame + tiles + verification of tile-only faces');
    notes.push(`genuine (same person) cosine distance: ${calibration.genuine.summary}`);
    notes.push(`genuine, distinct source photos only: ${calibration.genuineDistinct.summary}`);
    notes.push(`impostor (different people): ${calibration.impostor.summary}`);
    return { name: 'vision (embedded profile)', rows, notes, details: { provider, calibration } };
  },
};

/** Per-face embed cost at several faces per call, batched (default batch size, patched graph) vs one ONNX run per image. */
async function compareBatching(bytes: Buffer[]): Promise<BenchRow[]> {
  const batched = await createVisionPipeline(config, silentLogger);
  const single = await createVisionPipeline(config, silentLogger, { embedBatchSize: 1 });
  const rows: BenchRow[] = [];
  try {
    const image = await batched.decodeImage(bytes[0]!);
    const face = pickPrimaryFace(await batched.detectFaces(image))!;
    for (const count of [1, 2, 4, 8, 16]) {
      const faces = Array.from({ length: count }, () => face);
      const times = { batched: [] as number[], oneByOne: [] as number[] };
      await batched.embedFaces(image, faces);
      await single.embedFaces(image, faces);
      for (let i = 0; i < 9; i++) {
        for (const [name, vision] of i % 2 ? ([['batched', batched], ['oneByOne', single]] as const) : ([['oneByOne', single], ['batched', batched]] as const)) {
          const started = performance.now();
          await vision.embedFaces(image, faces);
          times[name].push(performance.now() - started);
        }
      }
      rows.push({
        measure: 'embed batch',
        setting: `${count} face(s) per call`,
        faces: count,
        batchedMsPerFace: median(times.batched) / count,
        oneByOneMsPerFace: median(times.oneByOne) / count,
        batchedBestMsPerFace: Math.min(...times.batched) / count,
        oneByOneBestMsPerFace: Math.min(...times.oneByOne) / count,
      });
    }
  } finally {
    await batched.close();
    await single.close();
  }
  return rows;
}

interface Photo {
  file: string;
  identity: string;
  /** Files cut from the same original picture (resolution variants, the RGBA copy) share a source. */
  source: string;
}

function readManifest(): Photo[] {
  const [, ...lines] = readFileSync(join(facesDir, 'manifest.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [file = '', identities = ''] = line.split(',');
    const source = file.replace(/\/06-\w+\.jpg$/, '/06').replace(/\/05-rgba\.png$/, '/02.jpg');
    return { file, identity: identities, source };
  });
}

function distances(photos: Photo[], analyses: ImageAnalysis[]) {
  const primaries = photos
    .map((photo, i) => ({ photo, face: pickPrimaryFace(analyses[i]!.faces) }))
    .filter(({ photo, face }) => photo.file.startsWith('people/') && face);
  const genuine: number[] = [];
  const genuineDistinct: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < primaries.length; i++) {
    for (let j = i + 1; j < primaries.length; j++) {
      const a = primaries[i]!;
      const b = primaries[j]!;
      const distance = cosineDistance(a.face!.embeddings.embedded!, b.face!.embeddings.embedded!);
      if (a.photo.identity !== b.photo.identity) impostor.push(distance);
      else {
        genuine.push(distance);
        if (a.photo.source !== b.photo.source) genuineDistinct.push(distance);
      }
    }
  }
  return { genuine: describe(genuine), genuineDistinct: describe(genuineDistinct), impostor: describe(impostor) };
}

function describe(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.round(p * (sorted.length - 1))]!.toFixed(3));
  const stats = { n: values.length, min: at(0), p5: at(0.05), p25: at(0.25), median: at(0.5), p75: at(0.75), p95: at(0.95), max: at(1) };
  return { ...stats, summary: Object.entries(stats).map(([key, value]) => `${key}=${value}`).join(' ') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
