// Scene identification of a 60-frame 1920×1080 video served by the Stash double, per stage; and batch
// tag-back throughput in scenes per minute over several fixture scenes.
import { join } from 'node:path';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { splitPeople, writeEnrolmentFolder } from '../test/helpers/enrolment.js';
import { makeTempDir, repoRoot } from '../test/helpers/fixtures.js';
import { buildSceneVideo, createMediaCache, createStashDouble, facePhoto, type SceneFixture } from '../test/stash-double/index.js';
import type { Benchmark, BenchRow } from './report.js';

const batchScenes = Number(process.env.BENCH_BATCH_SCENES ?? 6);
// `npm run gpu:check` sets cuda, so the numbers it prints cannot come from a silent CPU fallback.
const executionProvider = process.env.BENCH_EXECUTION_PROVIDER ?? 'auto';

export const benchmark: Benchmark = {
  name: 'scene',
  async run() {
    const temp = makeTempDir('stash-sense-bench-');
    const media = createMediaCache();
    try {
      const { enrolled } = splitPeople();
      writeEnrolmentFolder(join(temp.path, 'people'), enrolled);
      const hd = await buildSceneVideo(media, {
        width: 1920,
        height: 1080,
        segments: ['people/obama/02.jpg', 'people/biden/01.jpg', 'groups/rose-kit.jpg', 'people/john_lennon/01.jpg'].map((photo) => ({ photo: facePhoto(photo), seconds: 5 })),
      });
      const short = await buildSceneVideo(media, { segments: [{ photo: facePhoto('people/kit_harington/02.jpg'), seconds: 4 }] });
      const fileOf = (video: typeof hd, id: string) => ({ duration: video.durationSeconds, width: video.width, height: video.height, oshash: `bench${id}` });
      const scenes: SceneFixture[] = [
        { id: '1', title: 'HD 20 s', files: [fileOf(hd, '1')], media: { stream: { file: hd.path } } },
        ...Array.from({ length: batchScenes }, (_, i) => ({ id: String(i + 2), title: `Batch ${i}`, files: [fileOf(short, String(i + 2))], media: { stream: { file: short.path } } })),
      ];
      const double = await createStashDouble({ scenes, performers: [{ id: '1', name: 'kit_harington' }] });
      const config = loadConfig({ DATA_DIR: join(temp.path, 'data'), MODELS_DIR: join(repoRoot, 'models'), STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '', SCENE_FRAMES: '60', EXECUTION_PROVIDER: executionProvider });
      const app = await openApp(config, silentLogger, { runJobs: true });
      try {
        await app.services.enroll.enrollFolder(join(temp.path, 'people'));
        const rows: BenchRow[] = [];
        for (const pass of ['cold', 'warm']) {
          const before = app.vision.inferenceStats();
          const result = await app.services.scenes.identifyScene('1', { sources: ['STREAM'], frameCount: 60 });
          const after = app.vision.inferenceStats();
          const modelMs = after.runMs - before.runMs;
          const t = result.timings;
          rows.push({
            pass,
            frames: result.framesRead,
            faces: result.facesDetected,
            persons: result.persons.length,
            'seek+decode ms': Math.round(t.framesMs),
            'detect ms': Math.round(t.detectMs),
            'embed ms': Math.round(t.embedMs),
            'search ms': Math.round(t.searchMs),
            'cluster ms': Math.round(t.clusterMs),
            'link ms': Math.round(t.linkMs),
            'total ms': Math.round(t.totalMs),
            'model ms': Math.round(modelMs),
            'model runs': after.runs - before.runs,
            'wall/model': Number((t.totalMs / modelMs).toFixed(2)),
            'faces/s': Number((result.facesDetected / (t.totalMs / 1000)).toFixed(1)),
            provider: app.vision.executionProvider,
          });
        }
        const started = performance.now();
        const job = app.services.jobs.startTagBack({ scope: 'SCENE_IDS', sceneIds: scenes.slice(1).map((scene) => scene.id), frameCount: 20, sources: ['STREAM'] });
        let final = job;
        for await (const update of app.services.jobs.subscribe(job.id)) final = update;
        const minutes = (performance.now() - started) / 60_000;
        const summary = app.services.jobs.tagBackSummary(final);
        rows.push({ pass: `batch ×${batchScenes} (20 frames, 640p)`, frames: batchScenes * 20, 'total ms': Math.round(minutes * 60_000), 'scenes/min': Number((batchScenes / minutes).toFixed(1)), applied: summary?.applied ?? 0, provider: app.vision.executionProvider });
        return {
          name: 'scene identification (60 frames of a 20 s 1920×1080 video over HTTP) and batch tag-back',
          rows,
          notes: [
            'seek+decode is time spent waiting for frames from ffmpeg (it decodes in parallel with detection)',
            'model ms is the time inside session.run summed over all model runs of the pass; wall/model is total ms over it',
            `batch status ${final.status}`,
          ],
        };
      } finally {
        await app.close();
        await double.close();
      }
    } finally {
      media.close();
      temp.remove();
    }
  },
};
