// Recognition accuracy: open-set identification at scale on LFW dev (with the calibration fit and its
// reliability), real footage through the real service and the Stash double, and the shared photos.
// BENCH_ACCURACY_PARTS=lfw,footage,photos picks parts.
import { silentLogger } from '../src/logger.js';
import { EMBEDDED_CALIBRATION, FALSE_MATCH_RATE, openSetThreshold, type MatchCalibration } from '../src/match/index.js';
import { createVisionPipeline } from '../src/vision/index.js';
import type { Benchmark, BenchRow, BenchSection } from './report.js';
import { openFaceCache } from './accuracy/face-cache.js';
import { chooseGalleryFace, chooseProbeFace, decideFace } from './accuracy/decision.js';
import { buildSamples, fitImpostorTail, fitLogistic, reliability } from './accuracy/fit.js';
import { evaluate, loadLfw, subsampleGallery, type LfwData } from './accuracy/lfw.js';
import { levelRows, levels, runFootage, runPhotos } from './accuracy/scenes.js';
import { accuracyVisionConfig, visionSettingsKey } from './accuracy/vision-config.js';

const parts = new Set((process.env.BENCH_ACCURACY_PARTS ?? 'lfw,footage,photos').split(',').map((part) => part.trim()));

export const benchmark: Benchmark = {
  name: 'recognition accuracy (embedded profile)',
  async run() {
    const sections: BenchSection[] = [];
    let lfw: LfwData;
    const vision = await createVisionPipeline(accuracyVisionConfig, silentLogger);
    let cacheNote = '';
    try {
      const cache = openFaceCache(vision, visionSettingsKey(accuracyVisionConfig));
      lfw = await loadLfw(cache, chooseGalleryFace, chooseProbeFace);
      cacheNote = `face cache ${cache.hits} hits / ${cache.misses} misses`;
    } finally {
      await vision.close();
    }
    const model = accuracyVisionConfig.profile;
    if (parts.has('lfw')) {
      const rows: BenchRow[] = [];
      const gallerySets = [100, 1000, Infinity].map((size) => subsampleGallery(lfw, size));
      let impostor: Float64Array<ArrayBufferLike> = new Float64Array();
      for (const members of gallerySets) {
        const result = evaluate(lfw, members, decideFace, model);
        const enrolledFaces = lfw.gallery.filter((g) => g.face && members.has(g.who)).length;
        const sure = result.probes.filter((probe) => probe.decision && probe.decision.confidence >= levels.autoApply);
        const sureWrong = sure.filter((probe) => !probe.known || probe.decision!.performerId !== probe.who).length;
        rows.push({
          ...result.row,
          [`named ≥ ${levels.autoApply} (wrong)`]: `${sure.length} (${sureWrong})`,
          't(N) distance': openSetThreshold(EMBEDDED_CALIBRATION, enrolledFaces),
        });
        impostor = result.impostor;
      }
      sections.push({
        name: 'accuracy: LFW dev open set (default decision)',
        rows,
        notes: [
          `gallery photos enrolled: ${lfw.gallery.filter((g) => g.face).length}/${lfw.galleryPhotos}; probe photos with a face: ${lfw.probes.filter((p) => p.face).length}/${lfw.probePhotos}; ${cacheNote}`,
          'DIR: known probes named right; FPIR: unknown probes given any name (a probe whose person is not in the subsampled gallery is unknown)',
          `predicted distance limit at 10,000 / 100,000 faces: ${openSetThreshold(EMBEDDED_CALIBRATION, 10_000).toFixed(3)} / ${openSetThreshold(EMBEDDED_CALIBRATION, 100_000).toFixed(3)}`,
        ],
      });

      impostor.sort();
      const tail = fitImpostorTail(impostor);
      const refitTail: MatchCalibration = { ...EMBEDDED_CALIBRATION, impostorTail: { mean: tail.mean, sd: tail.sd } };
      const samples = buildSamples(lfw, refitTail, model, gallerySets);
      const fitted = fitLogistic(refitTail, samples.filter((sample) => sample.distance <= 1.15 * openSetThreshold(refitTail, sample.databaseFaces)));
      const empiricalMin = [100, 1000, lfw.gallery.length].map((n) => `${n}: ${openSetThreshold(refitTail, n).toFixed(3)}`);
      sections.push({
        name: 'accuracy: calibration fit (LFW dev)',
        rows: [
          { what: 'impostor tail mean', shipped: EMBEDDED_CALIBRATION.impostorTail.mean, fitted: round(tail.mean) },
          { what: 'impostor tail sd', shipped: EMBEDDED_CALIBRATION.impostorTail.sd, fitted: round(tail.sd) },
          ...Object.entries(fitted).map(([what, value]) => ({ what: `logit ${what}`, shipped: EMBEDDED_CALIBRATION.logistic[what as keyof typeof fitted], fitted: value })),
        ],
        notes: [
          `${impostor.length} impostor pairs; tail fitted by probit regression on ${tail.points} quantiles from 1e-5 to 1e-2; FALSE_MATCH_RATE ${FALSE_MATCH_RATE}`,
          `refit distance limit by database faces: ${empiricalMin.join(', ')}`,
          `logistic fitted on ${samples.length} samples (single photos at 3 gallery sizes, 2–5 photo templates) within 1.15× the limit`,
        ],
      });
      sections.push({ name: 'accuracy: reliability of the shipped confidence (LFW dev, named decisions)', rows: reliability(EMBEDDED_CALIBRATION, samples) });
    }
    const totals: BenchRow[] = [];
    if (parts.has('footage')) {
      const footage = await runFootage(lfw);
      sections.push({
        name: 'accuracy: real footage (identifyScene through the Stash double)',
        rows: footage.rows,
        notes: [`${footage.distractors} LFW gallery people enrolled as distractors beside the manifest people; enrolment skipped ${footage.enrolSkipped.length} photos`, ...footage.enrolSkipped],
        details: { runs: footage.runs },
      });
      totals.push(...levelRows('footage', footage.runs));
    }
    if (parts.has('photos')) {
      const photos = await runPhotos(lfw);
      totals.push(...levelRows('shared photos', photos.runs));
      const wrong = photos.runs.filter((run) => run.shown.some((name) => !run.truth.includes(name)) || run.truth.some((name) => !run.shown.includes(name)));
      sections.push({
        name: 'accuracy: shared photos (identifyImage)',
        rows: photos.runs.map((run) => ({ photo: run.file, truth: run.truth.join(', '), shown: run.shown.join(', ') || '-', 'auto-applied': run.autoApplied.join(', ') || '-' })),
        notes: [
          `${photos.distractors} LFW distractors; not exact at the suggestion level: ${wrong.map((run) => run.file).join(', ') || 'none'}`,
          ...photos.enrolSkipped,
        ],
      });
    }
    if (totals.length > 0) sections.push({ name: 'accuracy: totals', rows: totals, notes: [`levels are the tag-back batch defaults: suggest ${levels.suggest}, auto-apply ${levels.autoApply}`] });
    return sections;
  },
};

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
