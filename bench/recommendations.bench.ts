// Duplicate-scene analysis on synthetic libraries: how many pairs the blocks compare against all pairs, how long
// finding and storing the recommendations takes, and whether the planted duplicates are found.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.js';
import { proposeDuplicateScenes, type FaceFingerprint } from '../src/recommendations/duplicate-scenes.js';
import type { AnalysisScene } from '../src/recommendations/library.js';
import { openStateDatabase } from '../src/state/index.js';
import type { Benchmark, BenchRow } from './report.js';

const sizes = [5_000, 20_000, 50_000];
/** Share of scenes that get a planted duplicate (another copy, 0–1.5 s longer or shorter, same people). */
const duplicateShare = 0.02;

export const benchmark: Benchmark = {
  name: 'recommendations: duplicate scenes',
  async run() {
    const rows: BenchRow[] = [];
    for (const size of sizes) rows.push(await measure(size));
    return {
      name: 'recommendations: duplicate scenes (blocking + scoring + store)',
      rows,
      notes: [
        'Synthetic library: durations 10–60 min, 1–3 people per scene from 2,000, half the scenes tagged with their cast, 200 studios; 2 % of scenes have a planted copy.',
        'comparisons = pairs scored after blocking; allPairs = n·(n−1)/2. found = planted pairs recommended; extra = other pairs recommended (same people, same length by chance).',
        'store = upserting every proposal in one transaction into a fresh stash_sense.db (synchronous=full).',
      ],
    };
  },
};

async function measure(size: number): Promise<BenchRow> {
  const random = mulberry32(size);
  const scenes: AnalysisScene[] = [];
  const faces = new Map<string, FaceFingerprint>();
  const planted = new Set<string>();
  let nextId = 1;
  const add = (duration: number, people: string[], tagged: boolean, studioId: string, title: string) => {
    const id = String(nextId++);
    scenes.push({
      id,
      title,
      date: null,
      files: [{ id: `f${id}`, path: `/m/${id}.mp4`, sizeBytes: 1e9, durationSec: duration, width: 1920, height: 1080, bitRate: 6e6, videoCodec: 'h264' }],
      performers: tagged ? people.map((p) => ({ id: p.slice(1), name: p })) : [],
      tagIds: [],
      galleryIds: [],
      studio: { id: studioId, name: `Studio ${studioId}` },
      stashIds: [],
    });
    faces.set(id, new Map(people.map((p) => [p, 1 / people.length])));
    return id;
  };
  const originals = Math.round(size / (1 + duplicateShare));
  for (let i = 0; i < originals && nextId <= size; i += 1) {
    const people = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => `p${Math.floor(random() * 2000)}`))];
    const duration = 600 + random() * 3000;
    const studioId = String(Math.floor(random() * 200));
    const title = `${word(random)} ${word(random)} ${word(random)}`;
    const original = add(duration, people, random() < 0.5, studioId, title);
    if (random() < duplicateShare && nextId <= size) {
      const copy = add(duration + (random() * 3 - 1.5), people, random() < 0.5, studioId, `${title} 1080p`);
      planted.add(`${original}:${copy}`);
    }
  }

  let started = performance.now();
  const result = proposeDuplicateScenes(scenes, faces);
  const analyseMs = performance.now() - started;
  const found = result.proposals.filter((p) => planted.has(p.details.sceneIds.join(':'))).length;

  const dir = mkdtempSync(join(tmpdir(), 'bench-recs-'));
  try {
    const state = await openStateDatabase(dir, silentLogger);
    started = performance.now();
    state.transaction((tx) => {
      for (const p of result.proposals) tx.upsertRecommendation({ type: p.type, targets: p.targets, confidence: p.confidence, evidence: p.evidence, payload: { summary: p.summary, details: p.details } });
    });
    const storeMs = performance.now() - started;
    await state.close();
    return {
      scenes: scenes.length,
      allPairs: (scenes.length * (scenes.length - 1)) / 2,
      comparisons: result.comparisons,
      planted: planted.size,
      found,
      extra: result.proposals.length - found,
      analyseMs: Math.round(analyseMs),
      storeMs: Math.round(storeMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const words = ['sunset', 'beach', 'morning', 'session', 'garden', 'party', 'hotel', 'city', 'night', 'summer', 'winter', 'studio', 'road', 'trip', 'lake', 'house'];
function word(random: () => number): string {
  return words[Math.floor(random() * words.length)]!;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
