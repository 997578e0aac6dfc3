// Real footage (../shared/footage) and the shared photos (../shared/faces) through the real service: the
// people are enrolled with the enrolment service, LFW gallery people join them as distractors, each clip is
// served as a Stash scene by the Stash double, and identifyScene / identifyImage answer as a user would see.
import { mkdirSync, readFileSync, symlinkSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { openApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { NewFace } from '../../src/faces/index.js';
import { silentLogger } from '../../src/logger.js';
import { execFileSync } from 'node:child_process';
import { toTagBackJobInput } from '../../src/tagback/index.js';
import { splitPeople, writeEnrolmentFolder } from '../../test/helpers/enrolment.js';
import { makeTempDir, readFaceManifest, repoRoot } from '../../test/helpers/fixtures.js';
import { createStashDouble, type SceneFixture } from '../../test/stash-double/index.js';
import type { BenchRow } from '../report.js';
import type { LfwData } from './lfw.js';

const footageDir = resolve(process.cwd(), '../shared/footage');

interface Manifest {
  people: Record<string, string>;
  scenes: { file: string; truth: string[]; notes: string }[];
}

/** The tag-back batch's documented defaults: what "shown" (suggested) and "auto-applied" mean. */
export const levels = (() => {
  const input = toTagBackJobInput({});
  return { suggest: input.suggestConfidence, autoApply: input.autoApplyConfidence };
})();

export interface LevelScore {
  exact: number;
  items: number;
  found: number;
  truth: number;
  wrong: number;
}

export function scoreLevel(results: readonly { truth: string[]; names: string[] }[]): LevelScore {
  let exact = 0;
  let found = 0;
  let wrong = 0;
  let truth = 0;
  for (const result of results) {
    const names = new Set(result.names);
    const expected = new Set(result.truth);
    truth += expected.size;
    found += [...expected].filter((name) => names.has(name)).length;
    wrong += [...names].filter((name) => !expected.has(name)).length;
    if (names.size === expected.size && [...names].every((name) => expected.has(name))) exact += 1;
  }
  return { exact, items: results.length, found, truth, wrong };
}

/** LFW gallery people as distractors, written straight into the face database from their cached embeddings. */
async function addDistractors(app: App, lfw: LfwData | undefined, exclude: ReadonlySet<string>): Promise<number> {
  if (!lfw) return 0;
  const model = app.vision.embeddingModels[0]!.name;
  const people = lfw.gallery.filter((g) => g.face && !exclude.has(g.who.replace(/_/g, ' ').toLowerCase()));
  await app.faces().write((writer) => {
    for (const [i, person] of people.entries()) {
      const id = writer.upsertPerformer({ name: `lfw:${person.who}` });
      const face: NewFace = { sourceHash: `lfw-${i}-${person.who}`, box: person.face!.box, score: person.face!.score, embeddings: { [model]: person.face!.embeddings[model]! } };
      writer.addFace(id, face);
    }
    return 0;
  });
  return people.length;
}

export interface SceneRun {
  file: string;
  truth: string[];
  shown: string[];
  autoApplied: string[];
  persons: { faces: number; frames: number; best: string | null; confidence: number | null; distance: number | null; frameCount: number | null }[];
}

export async function runFootage(lfw: LfwData | undefined): Promise<{ rows: BenchRow[]; runs: SceneRun[]; distractors: number; enrolSkipped: string[] }> {
  const manifest = JSON.parse(readFileSync(join(footageDir, 'manifest.json'), 'utf8')) as Manifest;
  const temp = makeTempDir('stash-sense-accuracy-');
  try {
    const peopleDir = join(temp.path, 'people');
    for (const [name, folder] of Object.entries(manifest.people)) {
      const from = resolve(footageDir, folder);
      mkdirSync(join(peopleDir, name), { recursive: true });
      for (const file of readdirSync(from)) symlinkSync(join(from, file), join(peopleDir, name, basename(file)));
    }
    const scenes: SceneFixture[] = [];
    for (const [i, scene] of manifest.scenes.entries()) {
      const path = join(footageDir, scene.file);
      const probe = probeClip(path);
      scenes.push({ id: String(i + 1), title: scene.file, files: [{ duration: probe.durationSeconds, width: probe.width, height: probe.height, oshash: `clip${i}` }], media: { stream: { file: path } } });
    }
    const performers = Object.keys(manifest.people).map((name, i) => ({ id: String(100 + i), name }));
    const double = await createStashDouble({ scenes, performers });
    const config = loadConfig({ DATA_DIR: join(temp.path, 'data'), MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu', STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' });
    const app = await openApp(config, silentLogger);
    try {
      const enrolled = await app.services.enroll.enrollFolder(peopleDir);
      const distractors = await addDistractors(app, lfw, new Set(Object.keys(manifest.people).map((name) => name.toLowerCase())));
      const runs: SceneRun[] = [];
      const only = process.env.BENCH_ACCURACY_CLIPS?.split(',');
      for (const [i, scene] of manifest.scenes.entries()) {
        if (only && !only.some((name) => scene.file.includes(name))) continue;
        const result = await app.services.scenes.identifyScene(String(i + 1), { sources: ['STREAM'] });
        const best = result.persons.map((person) => person.candidates[0]);
        const named = (level: number) => [...new Set(best.filter((c) => c && c.confidence >= level).map((c) => c!.name))].sort();
        runs.push({
          file: scene.file,
          truth: scene.truth,
          shown: named(levels.suggest),
          autoApplied: named(levels.autoApply),
          persons: result.persons.map((person) => ({
            faces: person.faceCount,
            frames: person.frameCount,
            best: person.candidates[0]?.name ?? null,
            confidence: round(person.candidates[0]?.confidence),
            distance: round(person.candidates[0]?.distance),
            frameCount: person.candidates[0]?.frameCount ?? null,
          })),
        });
      }
      const rows: BenchRow[] = runs.map((run) => ({
        clip: basename(run.file),
        truth: run.truth.join(', ') || '(nobody)',
        shown: run.shown.join(', ') || '-',
        'auto-applied': run.autoApplied.join(', ') || '-',
        'shown exact': sameSet(run.shown, run.truth),
        'auto exact': sameSet(run.autoApplied, run.truth),
        'persons (best, confidence, agreeing/frames)': run.persons
          .map((p) => (p.best ? `${p.best} ${p.confidence?.toFixed(2)} ${p.frameCount}/${p.frames}` : `unknown ${p.faces} faces/${p.frames} frames`))
          .join('; '),
      }));
      return { rows, runs, distractors, enrolSkipped: enrolled.skipped.map((s) => `${s.file}: ${s.reason}`) };
    } finally {
      await app.close();
      await double.close();
    }
  } finally {
    temp.remove();
  }
}

export interface PhotoRun {
  file: string;
  truth: string[];
  shown: string[];
  autoApplied: string[];
}

export async function runPhotos(lfw: LfwData | undefined): Promise<{ runs: PhotoRun[]; distractors: number; enrolSkipped: string[] }> {
  const temp = makeTempDir('stash-sense-accuracy-');
  try {
    const split = splitPeople();
    writeEnrolmentFolder(join(temp.path, 'people'), split.enrolled);
    const enrolledNames = new Set(split.enrolled.map((photo) => photo.identities[0]!));
    const config = loadConfig({ DATA_DIR: join(temp.path, 'data'), MODELS_DIR: join(repoRoot, 'models'), EXECUTION_PROVIDER: 'cpu' });
    const app = await openApp(config, silentLogger);
    try {
      const enrolled = await app.services.enroll.enrollFolder(join(temp.path, 'people'));
      const exclude = new Set([...enrolledNames].map((name) => name.replace(/_/g, ' ').toLowerCase()));
      const distractors = await addDistractors(app, lfw, exclude);
      const probes = [...split.heldBack, ...readFaceManifest().filter((photo) => photo.file.startsWith('groups/'))];
      const runs: PhotoRun[] = [];
      for (const photo of probes) {
        const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(photo.path), name: photo.file });
        const best = result.faces.map((face) => face.candidates[0]);
        const named = (level: number) => [...new Set(best.filter((c) => c && c.confidence >= level).map((c) => c!.name))].sort();
        runs.push({ file: photo.file, truth: photo.identities.filter((who) => enrolledNames.has(who)), shown: named(levels.suggest), autoApplied: named(levels.autoApply) });
      }
      return { runs, distractors, enrolSkipped: enrolled.skipped.map((s) => `${s.file}: ${s.reason}`) };
    } finally {
      await app.close();
    }
  } finally {
    temp.remove();
  }
}

export function levelRows(label: string, runs: readonly { truth: string[]; shown: string[]; autoApplied: string[] }[]): BenchRow[] {
  return (['shown', 'autoApplied'] as const).map((level) => {
    const score = scoreLevel(runs.map((run) => ({ truth: run.truth, names: run[level] })));
    return {
      set: label,
      level: level === 'shown' ? `suggest ≥ ${levels.suggest}` : `auto-apply ≥ ${levels.autoApply}`,
      exact: `${score.exact}/${score.items}`,
      'people found': `${score.found}/${score.truth}`,
      'wrong names': score.wrong,
    };
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
}

function round(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 1000) / 1000;
}

/** Duration and size of a clip, as Stash would report them for the scene's file. */
function probeClip(path: string): { durationSeconds: number; width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { streams: { width: number; height: number }[]; format: { duration: string } };
  return { durationSeconds: Number(parsed.format.duration), width: parsed.streams[0]!.width, height: parsed.streams[0]!.height };
}
