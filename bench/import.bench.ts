// Importing an upstream stash-sense release at full size (issue 7: ~300k faces × 2 models of 512 dims).
// Building a real 300k HNSW graph takes ~20 min, so the .voy files are written directly: every element sits on
// level 0 and links to its 12 neighbours either side on a ring, a small but valid graph hnswlib loads and
// searches. Conversion cost depends on bytes, not on graph quality, so the timings carry over.
// IMPORT_BENCH_FACES shrinks it (default 300000); IMPORT_BENCH_KEEP=1 keeps the temp dir.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { silentLogger } from '../src/logger.js';
import { importUpstream, type ImportProgress } from '../src/upstream/index.js';
import type { Benchmark, BenchRow } from './report.js';

const DIMS = 512;
const M = 12;
const MAX_M0 = 2 * M;
const FACES_PER_PERFORMER = 2.8; // 277,097 faces / 107,759 performers upstream

export const benchmark: Benchmark = {
  name: 'upstream import',
  async run() {
    const faces = Number(process.env['IMPORT_BENCH_FACES'] ?? 300_000);
    const performers = Math.max(1, Math.round(faces / FACES_PER_PERFORMER));
    const root = await mkdtemp(join(tmpdir(), 'bench-import-'));
    const release = join(root, 'release');
    const dataDir = join(root, 'data');
    await mkdir(release);
    try {
      const built = performance.now();
      const storages = { facenet: 'float32', arcface: 'e4m3' } as const;
      const fileBytes: Record<string, number> = {};
      for (const [model, storage] of Object.entries(storages)) {
        fileBytes[model] = await writeSyntheticVoyager(join(release, `face_${model}.voy`), faces, storage, model === 'facenet' ? 1 : 2);
      }
      await writeReleaseMetadata(release, faces, performers);
      // Flush the release now: otherwise the import's first fsync (ext4 commits every dirty file with it) pays for it.
      for (const file of ['face_facenet.voy', 'face_arcface.voy', 'performers.db', 'faces.json', 'performers.json']) {
        const handle = await open(join(release, file), 'r+');
        await handle.sync();
        await handle.close();
      }
      const buildMs = performance.now() - built;

      const rssBefore = process.memoryUsage().rss;
      let peakRss = rssBefore;
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }, 50);
      const stepStarts = new Map<string, number>();
      const stepEnds = new Map<string, number>();
      const started = performance.now();
      const onProgress = (progress: ImportProgress) => {
        const key = progress.step === 'convert' ? `convert ${progress.model}` : progress.step;
        if (!stepStarts.has(key)) stepStarts.set(key, performance.now());
        stepEnds.set(key, performance.now());
      };
      const result = await importUpstream(release, dataDir, { onProgress }, silentLogger);
      const importMs = performance.now() - started;
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);

      // Loading the installed database as the server does at start-up, in a fresh process: this one still holds
      // the import's native index memory until a GC it cannot force.
      const load = measureLoad(dataDir);

      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      const rows: BenchRow[] = [
        { step: 'build synthetic release (not part of import)', ms: Math.round(buildMs), note: `${faces} faces, ${performers} performers` },
      ];
      const order = ['checksums', 'read-performers', 'convert facenet', 'convert arcface', 'performers', 'faces', 'install'];
      let previousEnd = started;
      for (const step of order) {
        const end = stepEnds.get(step);
        if (end === undefined) continue;
        rows.push({ step: `import: ${step} (until its last progress event)`, ms: Math.round(end - previousEnd), note: '' });
        previousEnd = end;
      }
      rows.push(
        { step: 'import total', ms: Math.round(importMs), note: `peak RSS ${mb(peakRss)} MB (before ${mb(rssBefore)} MB)` },
        {
          step: 'open installed database in a fresh process (load both indices)',
          ms: Math.round(load.loadMs),
          note: `RSS ${mb(load.rssBefore)} MB → ${mb(load.rssAfter)} MB`,
        },
        { step: 'one k=100 search (facenet, ring graph)', ms: Number(load.searchMs.toFixed(2)), note: `${load.hits} hits` },
      );
      return {
        name: `upstream import (${faces} faces × 2 models, ${DIMS}-d)`,
        rows,
        notes: [
          `.voy sizes: facenet float32 ${mb(fileBytes['facenet']!)} MB, arcface e4m3 ${mb(fileBytes['arcface']!)} MB; both convert to float32`,
          'the "install" step includes the face database adopting and loading both converted indices in staging',
          'peak RSS is sampled every 50 ms on the JS thread, so it can miss short native peaks',
        ],
        details: { faces, performers, fileBytes, result, peakRss, rssBefore, importMs, load },
      };
    } finally {
      if (process.env['IMPORT_BENCH_KEEP'] !== '1') await rm(root, { recursive: true, force: true });
    }
  },
};

/** Writes a Voyager V1 cosine index whose level-0 graph is a ring lattice; returns its size in bytes. */
export async function writeSyntheticVoyager(path: string, count: number, storage: 'float32' | 'e4m3', seed: number): Promise<number> {
  const scalarBytes = storage === 'float32' ? 4 : 1;
  const offsetData = MAX_M0 * 4 + 4;
  const record = offsetData + DIMS * scalarBytes + 8;
  const header = Buffer.alloc(19 + 96);
  header.write('VOYA', 0, 'latin1');
  header.writeInt32LE(1, 4);
  header.writeInt32LE(DIMS, 8);
  header[12] = 2;
  header[13] = storage === 'float32' ? 0x20 : 0x30;
  const body = 19;
  header.writeBigUInt64LE(0n, body);
  header.writeBigUInt64LE(BigInt(count), body + 8);
  header.writeBigUInt64LE(BigInt(count), body + 16);
  header.writeBigUInt64LE(BigInt(record), body + 24);
  header.writeBigUInt64LE(BigInt(offsetData + DIMS * scalarBytes), body + 32);
  header.writeBigUInt64LE(BigInt(offsetData), body + 40);
  header.writeInt32LE(0, body + 48); // maxlevel
  header.writeUInt32LE(0, body + 52); // entry point
  header.writeBigUInt64LE(BigInt(M), body + 56);
  header.writeBigUInt64LE(BigInt(MAX_M0), body + 64);
  header.writeBigUInt64LE(BigInt(M), body + 72);
  header.writeDoubleLE(1 / Math.log(M), body + 80);
  header.writeBigUInt64LE(200n, body + 88);

  const file = await open(path, 'w');
  try {
    await file.write(header);
    const perChunk = 4096;
    const chunk = Buffer.alloc(perChunk * record);
    let random = seed;
    const next = () => {
      random = (random * 1664525 + 1013904223) >>> 0;
      return random / 2 ** 32 - 0.5;
    };
    const values = new Float32Array(DIMS);
    for (let first = 0; first < count; first += perChunk) {
      const n = Math.min(perChunk, count - first);
      for (let r = 0; r < n; r++) {
        const id = first + r;
        const at = r * record;
        const neighbours = Math.min(MAX_M0, count - 1);
        chunk.writeUInt32LE(neighbours, at);
        for (let k = 0; k < neighbours; k++) {
          const step = (k >> 1) + 1;
          chunk.writeUInt32LE((k & 1 ? id - step + count * 2 : id + step) % count, at + 4 + k * 4);
        }
        let norm = 0;
        for (let d = 0; d < DIMS; d++) {
          values[d] = next();
          norm += values[d]! * values[d]!;
        }
        norm = Math.sqrt(norm);
        for (let d = 0; d < DIMS; d++) {
          const value = values[d]! / norm;
          if (storage === 'float32') chunk.writeFloatLE(value, at + offsetData + d * 4);
          else chunk[at + offsetData + d] = e4m3(value);
        }
        chunk.writeBigUInt64LE(BigInt(id), at + offsetData + DIMS * scalarBytes);
      }
      await file.write(chunk, 0, n * record);
    }
    await file.write(Buffer.alloc(count * 4)); // no upper layers
  } finally {
    await file.close();
  }
  return (await stat(path)).size;
}

/** Nearest Voyager E4M3 byte for |x| < 1 (sign bit 0, exponent bits 1–4, mantissa bits 5–7), rounding down. */
function e4m3(value: number): number {
  const magnitude = Math.abs(value);
  const sign = value < 0 ? 1 : 0;
  if (magnitude < 2 ** -6) return (Math.min(7, Math.round(magnitude * 2 ** 10)) << 5) | sign;
  const exponent = Math.floor(Math.log2(magnitude));
  const mantissa = Math.min(7, Math.round((magnitude / 2 ** exponent - 1) * 8));
  return (mantissa << 5) | ((exponent + 7) << 1) | sign;
}

interface LoadMeasurement {
  loadMs: number;
  rssBefore: number;
  rssAfter: number;
  searchMs: number;
  hits: number;
}

function measureLoad(dataDir: string): LoadMeasurement {
  const script = `
    const { openFaceDatabase } = await import(${JSON.stringify(new URL('../src/faces/index.ts', import.meta.url).pathname)});
    const { silentLogger } = await import(${JSON.stringify(new URL('../src/logger.ts', import.meta.url).pathname)});
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const models = [{ name: 'facenet', dims: ${DIMS} }, { name: 'arcface', dims: ${DIMS} }];
    const database = await openFaceDatabase({ dataDir: ${JSON.stringify(dataDir)}, profile: 'stash-sense', models }, silentLogger);
    const loadMs = performance.now() - started;
    const rssAfter = process.memoryUsage().rss;
    const query = Float32Array.from({ length: ${DIMS} }, (_, d) => Math.sin(1 + d * 0.37));
    const searchStarted = performance.now();
    const hits = database.search('facenet', query, 100).length;
    const searchMs = performance.now() - searchStarted;
    await database.close();
    process.stdout.write(JSON.stringify({ loadMs, rssBefore, rssAfter, searchMs, hits }));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(output) as LoadMeasurement;
}

async function writeReleaseMetadata(dir: string, faceCount: number, performerCount: number): Promise<void> {
  const uid = (p: number) => `stashdb.org:${p.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const faces = Array.from({ length: faceCount }, (_, i) => uid(i % performerCount));
  await writeFile(join(dir, 'faces.json'), JSON.stringify(faces));
  const performers: Record<string, unknown> = {};
  for (let p = 0; p < performerCount; p++) {
    performers[uid(p)] = { name: `Performer ${p}`, country: 'US', image_url: `https://cdn.example/${p}.jpg`, face_count: 3 };
  }
  await writeFile(join(dir, 'performers.json'), JSON.stringify(performers, null, 2));

  const db = new Database(join(dir, 'performers.db'));
  db.exec(`
    CREATE TABLE performers (id INTEGER PRIMARY KEY AUTOINCREMENT, canonical_name TEXT NOT NULL, country TEXT, image_url TEXT);
    CREATE TABLE stashbox_ids (performer_id INTEGER NOT NULL, endpoint TEXT NOT NULL, stashbox_performer_id TEXT NOT NULL,
      PRIMARY KEY (endpoint, stashbox_performer_id));
    CREATE INDEX idx_stashbox_performer ON stashbox_ids(performer_id);
    CREATE INDEX idx_stashbox_id ON stashbox_ids(stashbox_performer_id);
    CREATE TABLE aliases (id INTEGER PRIMARY KEY AUTOINCREMENT, performer_id INTEGER NOT NULL, alias TEXT NOT NULL,
      UNIQUE(performer_id, alias));
  `);
  const insertPerformer = db.prepare('INSERT INTO performers (id, canonical_name, country) VALUES (?, ?, ?)');
  const insertStashId = db.prepare('INSERT INTO stashbox_ids VALUES (?, ?, ?)');
  const insertAlias = db.prepare('INSERT INTO aliases (performer_id, alias) VALUES (?, ?)');
  db.transaction(() => {
    for (let p = 0; p < performerCount; p++) {
      insertPerformer.run(p + 1, `Performer ${p}`, 'US');
      insertStashId.run(p + 1, 'stashdb', uid(p).slice('stashdb.org:'.length));
      insertStashId.run(p + 1, 'theporndb', `tpdb-${p}`);
      insertAlias.run(p + 1, `Alias ${p}`);
    }
  })();
  db.close();

  const checksums: Record<string, string> = {};
  for (const file of ['face_facenet.voy', 'face_arcface.voy', 'performers.db']) checksums[file] = `sha256:${await sha256(join(dir, file))}`;
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: 'bench',
      created_at: new Date().toISOString(),
      performer_count: performerCount,
      face_count: faceCount,
      sources: ['stashdb'],
      models: { facenet_dim: DIMS, arcface_dim: DIMS },
      checksums,
    }),
  );
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
