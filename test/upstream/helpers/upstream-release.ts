// Builds a small upstream stash-sense data release in a directory, the way the Python trainer lays it out
// (reference/upstream-pipeline.md §2): manifest.json, faces.json, performers.json, performers.db with the
// trainer's schema, and two Voyager indices sharing face ids.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeVoyagerFile, type WriterStorage } from './voyager-writer.js';

export interface ReleasePerformer {
  name: string;
  country?: string | null;
  imageUrl?: string | null;
  aliases?: string[];
  /** Short endpoint name as upstream stores it ('stashdb', 'theporndb', …) → stash-box id; first = universal id. */
  stashIds: [string, string][];
  /** One embedding per face (used for both models; arcface gets it reversed so the models differ)… */
  faces: Float32Array[];
  /** …unless the ArcFace embeddings are given, one per face. */
  arcfaceFaces?: Float32Array[];
}

export interface ReleaseOptions {
  dims?: number;
  storage?: WriterStorage;
  withPerformersDb?: boolean;
  /** Extra faces.json entries appended as gaps (null) — still present in the indices. */
  gaps?: number;
}

const DOMAINS: Record<string, string> = {
  stashdb: 'stashdb.org',
  theporndb: 'theporndb.net',
  fansdb: 'fansdb.cc',
  pmvstash: 'pmvstash.org',
  javstash: 'javstash.org',
};

export async function writeUpstreamRelease(dir: string, performers: ReleasePerformer[], options: ReleaseOptions = {}): Promise<void> {
  const dims = options.dims ?? 16;
  const storage = options.storage ?? 'float32';
  const faces: (string | null)[] = [];
  const facenet: { label: number; vector: Float32Array }[] = [];
  const arcface: { label: number; vector: Float32Array }[] = [];
  const performersJson: Record<string, unknown> = {};
  for (const performer of performers) {
    const [endpoint, id] = performer.stashIds[0]!;
    const universalId = `${DOMAINS[endpoint]}:${id}`;
    performersJson[universalId] = {
      name: performer.name,
      country: performer.country ?? null,
      image_url: performer.imageUrl ?? null,
      face_count: performer.faces.length,
    };
    for (const [i, vector] of performer.faces.entries()) {
      facenet.push({ label: faces.length, vector });
      arcface.push({ label: faces.length, vector: performer.arcfaceFaces?.[i] ?? Float32Array.from(vector).reverse() });
      faces.push(universalId);
    }
  }
  for (let i = 0; i < (options.gaps ?? 0); i++) {
    const vector = Float32Array.from({ length: dims }, (_, d) => Math.cos(i + d));
    facenet.push({ label: faces.length, vector });
    arcface.push({ label: faces.length, vector });
    faces.push(null);
  }
  await writeFile(join(dir, 'faces.json'), JSON.stringify(faces));
  await writeFile(join(dir, 'performers.json'), JSON.stringify(performersJson, null, 2));
  await writeVoyagerFile(join(dir, 'face_facenet.voy'), { dims, storage, items: facenet });
  await writeVoyagerFile(join(dir, 'face_arcface.voy'), { dims, storage, items: arcface });
  const files = ['face_facenet.voy', 'face_arcface.voy'];
  if (options.withPerformersDb ?? true) {
    writePerformersDb(join(dir, 'performers.db'), performers);
    files.push('performers.db');
  }
  const checksums: Record<string, string> = {};
  for (const file of files) checksums[file] = `sha256:${createHash('sha256').update(await readFile(join(dir, file))).digest('hex')}`;
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify(
      {
        version: '2026.02.12',
        created_at: '2026-02-12T13:08:30Z',
        performer_count: performers.length,
        face_count: faces.length,
        sources: ['stashdb', 'theporndb'],
        models: { detector: 'retinaface_buffalo_sc', alignment: 'insightface_norm_crop_5point', facenet_dim: dims, arcface_dim: dims, flip_averaging: true },
        checksums,
      },
      null,
      2,
    ),
  );
}

export async function rewriteManifest(dir: string, change: (manifest: Record<string, unknown>) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  change(manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** The trainer's schema (04f1dd5:api/database.py), trimmed to the tables an importer reads plus faces. */
function writePerformersDb(path: string, performers: ReleasePerformer[]): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE performers (
      id INTEGER PRIMARY KEY AUTOINCREMENT, canonical_name TEXT NOT NULL, disambiguation TEXT, gender TEXT, country TEXT,
      ethnicity TEXT, birth_date TEXT, death_date TEXT, height_cm INTEGER, eye_color TEXT, hair_color TEXT,
      career_start_year INTEGER, career_end_year INTEGER, scene_count INTEGER, stashdb_updated_at TEXT,
      face_count INTEGER DEFAULT 0, image_url TEXT,
      created_at TEXT DEFAULT CURRENT_TIMESTAMP, updated_at TEXT DEFAULT CURRENT_TIMESTAMP);
    CREATE INDEX idx_performers_name ON performers(canonical_name);
    CREATE TABLE stashbox_ids (
      performer_id INTEGER NOT NULL REFERENCES performers(id) ON DELETE CASCADE, endpoint TEXT NOT NULL,
      stashbox_performer_id TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP,
      PRIMARY KEY (endpoint, stashbox_performer_id));
    CREATE INDEX idx_stashbox_performer ON stashbox_ids(performer_id);
    CREATE INDEX idx_stashbox_id ON stashbox_ids(stashbox_performer_id);
    CREATE TABLE faces (
      id INTEGER PRIMARY KEY AUTOINCREMENT, performer_id INTEGER NOT NULL REFERENCES performers(id) ON DELETE CASCADE,
      facenet_index INTEGER NOT NULL UNIQUE, arcface_index INTEGER NOT NULL UNIQUE, image_url TEXT,
      source_endpoint TEXT NOT NULL, quality_score REAL, created_at TEXT DEFAULT CURRENT_TIMESTAMP, pruned BOOLEAN, yaw REAL);
    CREATE INDEX idx_faces_performer ON faces(performer_id);
    CREATE TABLE aliases (
      id INTEGER PRIMARY KEY AUTOINCREMENT, performer_id INTEGER NOT NULL REFERENCES performers(id) ON DELETE CASCADE,
      alias TEXT NOT NULL, source_endpoint TEXT, created_at TEXT DEFAULT CURRENT_TIMESTAMP, UNIQUE(performer_id, alias));
    CREATE INDEX idx_aliases_alias ON aliases(alias COLLATE NOCASE);
    CREATE TABLE schema_version (version INTEGER PRIMARY KEY);
    INSERT INTO schema_version VALUES (5);
  `);
  const insertPerformer = db.prepare('INSERT INTO performers (canonical_name, country, image_url, face_count) VALUES (?, ?, ?, ?)');
  const insertStashId = db.prepare('INSERT INTO stashbox_ids (performer_id, endpoint, stashbox_performer_id) VALUES (?, ?, ?)');
  const insertAlias = db.prepare('INSERT INTO aliases (performer_id, alias, source_endpoint) VALUES (?, ?, ?)');
  const insertFace = db.prepare('INSERT INTO faces (performer_id, facenet_index, arcface_index, source_endpoint) VALUES (?, ?, ?, ?)');
  let faceIndex = 0;
  db.transaction(() => {
    for (const performer of performers) {
      const id = Number(insertPerformer.run(performer.name, performer.country ?? null, performer.imageUrl ?? null, performer.faces.length).lastInsertRowid);
      for (const [endpoint, stashId] of performer.stashIds) insertStashId.run(id, endpoint, stashId);
      for (const alias of performer.aliases ?? []) insertAlias.run(id, alias, performer.stashIds[0]![0]);
      for (let i = 0; i < performer.faces.length; i++, faceIndex++) insertFace.run(id, faceIndex, faceIndex, performer.stashIds[0]![0]);
    }
  })();
  db.close();
}
