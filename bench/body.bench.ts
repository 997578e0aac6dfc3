// The body-proportion signal, off and on side by side: right / wrong / unknown identifications on the dev sets
// (../shared/faces photos, ../shared/footage clips as Stash scenes, a sample of ../shared/lfw-dev), how often
// the signal could be used at all, and the measured shoulder/hip ratios per person.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { openApp, type App } from '../src/app.js';
import { loadConfig, type Env } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createBodySignal, medianRatio, openMoveNet, type BodySignal } from '../src/pose/index.js';
import { pickPrimaryFace } from '../src/vision/index.js';
import { splitPeople, writeEnrolmentFolder } from '../test/helpers/enrolment.js';
import { makeTempDir, readFaceManifest, repoRoot, sharedDir } from '../test/helpers/fixtures.js';
import { createStashDouble, type SceneFixture } from '../test/stash-double/index.js';
import type { Benchmark, BenchRow } from './report.js';

const run = promisify(execFile);
const lfwSample = Number(process.env.BENCH_LFW_SAMPLE ?? 150);
const sceneFrames = Number(process.env.BENCH_BODY_SCENE_FRAMES ?? 30);

interface Tally {
  right: number;
  wrong: number;
  unknown: number;
  /** Faces or persons for whom the body signal adjusted candidates. */
  bodyUsed: number;
  /** ... and whose best match it changed. */
  bodyChanged: number;
  /** Faces or persons the pose model gave a ratio for. */
  bodyMeasured: number;
}
type Outcome = { name: string | undefined; body?: { used: boolean; changedBestMatch: boolean; shoulderHipRatio: number | null } };

const emptyTally = (): Tally => ({ right: 0, wrong: 0, unknown: 0, bodyUsed: 0, bodyChanged: 0, bodyMeasured: 0 });

/** `expected`: the names that may be given; an empty list means only "unknown" is right. */
function count(tally: Tally, outcome: Outcome, expected: readonly string[]): void {
  if (outcome.name === undefined) {
    if (expected.length === 0) tally.right += 1;
    else tally.unknown += 1;
  } else if (expected.includes(outcome.name)) tally.right += 1;
  else tally.wrong += 1;
  if (outcome.body?.used) tally.bodyUsed += 1;
  if (outcome.body?.changedBestMatch) tally.bodyChanged += 1;
  if (outcome.body?.shoulderHipRatio != null) tally.bodyMeasured += 1;
}

function row(set: string, signal: 'off' | 'on', tally: Tally, withBody: number | null = null): BenchRow {
  const total = tally.right + tally.wrong + tally.unknown;
  return { set, 'body signal': signal, items: total, 'faces showing a body': withBody, right: tally.right, wrong: tally.wrong, unknown: tally.unknown, 'accuracy %': Number(((100 * tally.right) / total).toFixed(1)), 'body measured': tally.bodyMeasured, 'body used': tally.bodyUsed, 'best match changed': tally.bodyChanged };
}

async function withApp<T>(env: Env, body: boolean, work: (app: App) => Promise<T>): Promise<T> {
  const config = loadConfig({ MODELS_DIR: join(repoRoot, 'models'), ...env, ENABLE_BODY_SIGNAL: String(body) });
  const app = await openApp(config, silentLogger);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** Per-photo identification with the signal off, then on, over one enrolled data dir. */
async function photoSet(dataDir: string, probes: { path: string; expected: string[]; primaryOnly: boolean }[]): Promise<Record<'off' | 'on', Tally> & { withBody: number }> {
  const tallies = { off: emptyTally(), on: emptyTally(), withBody: 0 };
  for (const signal of ['off', 'on'] as const) {
    await withApp({ DATA_DIR: dataDir }, signal === 'on', async (app) => {
      for (const probe of probes) {
        const result = await app.services.identify.identifyImage({ kind: 'bytes', bytes: readFileSync(probe.path) });
        const faces = probe.primaryOnly ? [result.faces.filter((f) => f.score >= Math.max(...result.faces.map((x) => x.score)) - 0.02).sort((a, b) => b.box.height - a.box.height)[0]] : result.faces;
        for (const face of faces) {
          if (!face) count(tallies[signal], { name: undefined }, probe.expected);
          else count(tallies[signal], { name: face.candidates[0]?.name, ...(face.body ? { body: face.body } : {}) }, probe.expected);
        }
      }
      // How many probe faces show a body at all, whether or not the signal was needed for them.
      if (signal === 'off') tallies.withBody = await countBodies(app, probes.map((probe) => probe.path));
    });
  }
  return tallies;
}

/** Faces (all detected) in these images that give a shoulder/hip ratio. */
async function countBodies(app: App, files: string[]): Promise<number> {
  const body = createBodySignal(await openMoveNet());
  let found = 0;
  try {
    for (const file of files) {
      const image = await app.vision.decodeImage(readFileSync(file));
      for (const face of await app.vision.detectFaces(image)) if ((await body.measure(image, face.box)).kind === 'measured') found += 1;
    }
  } finally {
    body.close();
  }
  return found;
}

/** Ratios of every photo of each person, measured the way enrolment does (largest confident face). */
async function ratiosPerPerson(app: App, body: BodySignal, people: Map<string, string[]>): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [person, files] of people) {
    const ratios: number[] = [];
    for (const file of files) {
      const image = await app.vision.decodeImage(readFileSync(file));
      const face = pickPrimaryFace((await app.vision.detectFaces(image)).filter((f) => f.score >= 0.8));
      if (!face) continue;
      const measured = await body.measure(image, face.box);
      if (measured.kind === 'measured') ratios.push(measured.shoulderHipRatio);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / (ratios.length || 1);
    const sd = ratios.length > 1 ? Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (ratios.length - 1)) : null;
    rows.push({
      person,
      photos: files.length,
      'with body': ratios.length,
      median: ratios.length > 0 ? Number(medianRatio(ratios)!.toFixed(3)) : null,
      sd: sd === null ? null : Number(sd.toFixed(3)),
      min: ratios.length > 0 ? Number(Math.min(...ratios).toFixed(3)) : null,
      max: ratios.length > 0 ? Number(Math.max(...ratios).toFixed(3)) : null,
    });
  }
  return rows;
}

async function probeClip(file: string): Promise<{ duration: number; width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:format=duration', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { streams: { width: number; height: number }[]; format: { duration: string } };
  return { duration: Number(parsed.format.duration), width: parsed.streams[0]!.width, height: parsed.streams[0]!.height };
}

export const benchmark: Benchmark = {
  name: 'body',
  async run() {
    const temp = makeTempDir('stash-sense-bench-body-');
    const rows: BenchRow[] = [];
    const ratioRows: BenchRow[] = [];
    try {
      // 1. ../shared/faces: enrol all but one photo per person (with the signal on, so references exist).
      const split = splitPeople();
      writeEnrolmentFolder(join(temp.path, 'faces-people'), split.enrolled);
      const facesData = join(temp.path, 'faces-data');
      await withApp({ DATA_DIR: facesData }, true, (app) => app.services.enroll.enrollFolder(join(temp.path, 'faces-people')));
      const groups = readFaceManifest().filter((photo) => photo.file.startsWith('groups/'));
      const faceTallies = await photoSet(facesData, [
        ...split.heldBack.map((photo) => ({ path: photo.path, expected: photo.identities, primaryOnly: true })),
        // Group photos: each detected face must be one of the people named, or unknown for the strangers.
        ...groups.map((photo) => ({ path: photo.path, expected: photo.identities.filter((id) => !['eva_longoria', 'bradley_cooper'].includes(id)), primaryOnly: false })),
      ]);
      rows.push(row('faces (photos)', 'off', faceTallies.off, faceTallies.withBody), row('faces (photos)', 'on', faceTallies.on, faceTallies.withBody));

      // 2. ../shared/footage: enrol the galleries, identify each clip as a Stash scene.
      const footage = JSON.parse(readFileSync(join(sharedDir, 'footage/manifest.json'), 'utf8')) as { people: Record<string, string>; scenes: { file: string; truth: string[] }[] };
      const footagePeople = new Map<string, string[]>();
      for (const [name, folder] of Object.entries(footage.people)) {
        const dir = join(sharedDir, 'footage', folder);
        const target = join(temp.path, 'footage-people', name);
        mkdirSync(target, { recursive: true });
        const files = readdirSync(dir).filter((file) => /\.(jpe?g|png|webp)$/i.test(file)).map((file) => join(dir, file));
        for (const file of files) symlinkSync(file, join(target, basename(file)));
        footagePeople.set(name, files);
      }
      const scenes: SceneFixture[] = [];
      for (const [i, scene] of footage.scenes.entries()) {
        const path = join(sharedDir, 'footage', scene.file);
        const meta = await probeClip(path);
        scenes.push({ id: String(i + 1), title: scene.file, files: [{ duration: meta.duration, width: meta.width, height: meta.height, oshash: `body${i}` }], media: { stream: { file: path } } });
      }
      const double = await createStashDouble({ scenes });
      try {
        const footageData = join(temp.path, 'footage-data');
        const env = { DATA_DIR: footageData, STASH_URL: double.url, STASH_API_KEY: double.apiKey ?? '' };
        await withApp(env, true, (app) => app.services.enroll.enrollFolder(join(temp.path, 'footage-people')));
        const sceneTallies = { off: emptyTally(), on: emptyTally() };
        // Faces in 10 frames per clip that show a body (clip frames as JPEG, every face measured).
        let clipBodies = 0;
        const clipFrames: string[] = [];
        for (const [i, scene] of footage.scenes.entries()) {
          const dir = join(temp.path, `frames-${i}`);
          mkdirSync(dir);
          const meta = await probeClip(join(sharedDir, 'footage', scene.file));
          await run('ffmpeg', ['-v', 'error', '-i', join(sharedDir, 'footage', scene.file), '-vf', `fps=${(10 / meta.duration).toFixed(4)}`, '-frames:v', '10', join(dir, '%02d.jpg')]);
          clipFrames.push(...readdirSync(dir).map((file) => join(dir, file)));
        }
        await withApp(env, false, async (app) => {
          clipBodies = await countBodies(app, clipFrames);
        });
        for (const signal of ['off', 'on'] as const) {
          await withApp(env, signal === 'on', async (app) => {
            for (const [i, scene] of footage.scenes.entries()) {
              const result = await app.services.scenes.identifyScene(String(i + 1), { sources: ['STREAM'], frameCount: sceneFrames });
              for (const person of result.persons) count(sceneTallies[signal], { name: person.candidates[0]?.name, ...(person.body ? { body: person.body } : {}) }, scene.truth);
            }
          });
        }
        const shown = `${clipBodies} in ${clipFrames.length} frames`;
        rows.push(row('footage (scene persons)', 'off', sceneTallies.off, null), row('footage (scene persons)', 'on', sceneTallies.on, null));
        rows[rows.length - 1]!['faces showing a body'] = shown;
        rows[rows.length - 2]!['faces showing a body'] = shown;
      } finally {
        await double.close();
      }

      // 3. ../shared/lfw-dev: a sample of the open-set protocol (LFW photos are 250×250 face crops: bodies rarely show).
      const protocol = JSON.parse(readFileSync(join(sharedDir, 'lfw-dev/protocol.json'), 'utf8')) as { gallery: { file: string; who: string }[]; probes: { file: string; who: string; known: boolean }[] };
      const knownProbes = protocol.probes.filter((probe) => probe.known);
      const sampledPeople = new Set(knownProbes.map((probe) => probe.who).filter((who, i, all) => all.indexOf(who) === i).slice(0, lfwSample));
      const gallery = protocol.gallery.filter((entry) => sampledPeople.has(entry.who));
      for (const entry of gallery) {
        const folder = join(temp.path, 'lfw-people', entry.who);
        mkdirSync(folder, { recursive: true });
        symlinkSync(join(sharedDir, 'lfw-dev', entry.file), join(folder, basename(entry.file)));
      }
      const lfwData = join(temp.path, 'lfw-data');
      await withApp({ DATA_DIR: lfwData }, true, (app) => app.services.enroll.enrollFolder(join(temp.path, 'lfw-people')));
      const lfwProbes = [
        ...knownProbes.filter((probe) => sampledPeople.has(probe.who)).map((probe) => ({ path: join(sharedDir, 'lfw-dev', probe.file), expected: [probe.who], primaryOnly: true })),
        ...protocol.probes.filter((probe) => !probe.known).slice(0, Math.round(lfwSample / 2)).map((probe) => ({ path: join(sharedDir, 'lfw-dev', probe.file), expected: [], primaryOnly: true })),
      ];
      const lfwTallies = await photoSet(lfwData, lfwProbes);
      rows.push(row(`lfw-dev sample (${sampledPeople.size} people)`, 'off', lfwTallies.off, lfwTallies.withBody), row(`lfw-dev sample (${sampledPeople.size} people)`, 'on', lfwTallies.on, lfwTallies.withBody));

      // Ratio distributions per person, over every photo of the faces and footage sets.
      const facesPeople = new Map<string, string[]>();
      for (const photo of readFaceManifest().filter((p) => p.file.startsWith('people/'))) facesPeople.set(photo.identities[0]!, [...(facesPeople.get(photo.identities[0]!) ?? []), photo.path]);
      await withApp({ DATA_DIR: facesData }, false, async (app) => {
        const body = createBodySignal(await openMoveNet());
        try {
          ratioRows.push(...(await ratiosPerPerson(app, body, facesPeople)), ...(await ratiosPerPerson(app, body, new Map([...footagePeople].filter(([name]) => name !== 'Barack Obama')))));
        } finally {
          body.close();
        }
      });
    } finally {
      temp.remove();
    }
    const unchanged = rows.every((r, i) => i % 2 === 0 || (r.right === rows[i - 1]!.right && r.wrong === rows[i - 1]!.wrong));
    return {
      name: 'body signal off / on: identifications right, wrong, unknown',
      rows,
      notes: [
        `turning the signal on ${unchanged ? 'changed no count' : 'CHANGED counts'} on these sets`,
        'body measured: faces/persons the pose model gave a shoulder/hip ratio; body used: candidates adjusted; best match changed: by the body signal',
        ...ratioRows.map((r) => `ratios ${r.person}: ${r['with body']}/${r.photos} photos with body, median ${r.median ?? '-'}, sd ${r.sd ?? '-'}, range ${r.min ?? '-'}–${r.max ?? '-'}`),
      ],
      details: { ratios: ratioRows, lfwSample, sceneFrames },
    };
  },
};
