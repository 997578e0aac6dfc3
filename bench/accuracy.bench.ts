// Recognition accuracy: open-set identification at scale on LFW dev, real footage through the real service
// and the Stash double, and the shared photos. BENCH_ACCURACY_PARTS=lfw,footage,photos picks parts.
import { silentLogger } from '../src/logger.js';
import { createVisionPipeline } from '../src/vision/index.js';
import type { Benchmark, BenchRow } from './report.js';
import { openFaceCache } from './accuracy/face-cache.js';
import { chooseGalleryFace, chooseProbeFace, decideFace } from './accuracy/decision.js';
import { evaluate, loadLfw, subsampleGallery, type LfwData } from './accuracy/lfw.js';
import { levelRows, levels, runFootage, runPhotos } from './accuracy/scenes.js';
import { accuracyVisionConfig, visionSettingsKey } from './accuracy/vision-config.js';

const parts = new Set((process.env.BENCH_ACCURACY_PARTS ?? 'lfw,footage,photos').split(',').map((part) => part.trim()));

export const benchmark: Benchmark = {
  name: 'recognition accuracy (embedded profile)',
  async run() {
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    const details: Record<string, unknown> = { levels };
    let lfw: LfwData | undefined;
    const vision = await createVisionPipeline(accuracyVisionConfig, silentLogger);
    try {
      const cache = openFaceCache(vision, visionSettingsKey(accuracyVisionConfig));
      lfw = await loadLfw(cache, chooseGalleryFace, chooseProbeFace);
      notes.push(`LFW dev: ${lfw.gallery.filter((g) => g.face).length}/${lfw.galleryPhotos} gallery photos enrolled, cache ${cache.hits} hits / ${cache.misses} misses`);
    } finally {
      await vision.close();
    }
    if (parts.has('lfw')) {
      const model = accuracyVisionConfig.profile;
      const sizes = [100, 1000, Infinity];
      const lfwRows = [];
      for (const size of sizes) {
        const { row } = evaluate(lfw, subsampleGallery(lfw, size), decideFace, model);
        lfwRows.push(row);
        rows.push({ part: 'lfw-dev open set', ...row });
      }
      details.lfw = lfwRows;
    }
    if (parts.has('footage')) {
      const footage = await runFootage(lfw);
      details.footage = footage;
      for (const row of footage.rows) rows.push({ part: 'footage clip', ...row });
      for (const row of levelRows('footage', footage.runs)) rows.push({ part: 'footage total', ...row });
      notes.push(`footage: ${footage.distractors} LFW distractor performers enrolled beside the manifest people; enrolment skipped ${footage.enrolSkipped.length} photos`);
    }
    if (parts.has('photos')) {
      const photos = await runPhotos(lfw);
      details.photos = photos;
      for (const row of levelRows('shared photos', photos.runs)) rows.push({ part: 'photos total', ...row });
      const wrong = photos.runs.filter((run) => run.shown.some((name) => !run.truth.includes(name)) || run.truth.some((name) => !run.shown.includes(name)));
      notes.push(`shared photos: ${photos.distractors} LFW distractors; not exact at the suggestion level: ${wrong.map((run) => `${run.file} (${run.shown.join('+') || 'none'})`).join(', ') || 'none'}`);
    }
    return { name: 'recognition accuracy (embedded profile)', rows, notes, details };
  },
};
