// Fills the face cache for the LFW dev set ahead of `npm run bench -- accuracy` (slow on a small machine).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { silentLogger } from '../../src/logger.js';
import { createVisionPipeline } from '../../src/vision/index.js';
import { openFaceCache } from './face-cache.js';
import { accuracyVisionConfig, visionSettingsKey } from './vision-config.js';

const dir = resolve(process.cwd(), '../shared/lfw-dev');
const protocol = JSON.parse(readFileSync(join(dir, 'protocol.json'), 'utf8')) as { gallery: { file: string }[]; probes: { file: string }[] };
const vision = await createVisionPipeline(accuracyVisionConfig, silentLogger);
const cache = openFaceCache(vision, visionSettingsKey(accuracyVisionConfig));
const files = [...protocol.gallery, ...protocol.probes].map((entry) => entry.file);
const started = performance.now();
for (const [i, file] of files.entries()) {
  await cache.analyze(readFileSync(join(dir, file)));
  if (i % 100 === 0) console.error(`${i}/${files.length} ${Math.round((performance.now() - started) / 1000)} s (cache hits ${cache.hits})`);
}
await vision.close();
console.error('done');
