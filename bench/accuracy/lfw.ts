// Open-set identification at scale on ../shared/lfw-dev (its README gives the protocol): the gallery is
// enrolled one photo per person, each probe's photo is searched against it, and the service's own decision
// (src/match) names a performer or not.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FaceHit } from '../../src/faces/index.js';
import type { BenchRow } from '../report.js';
import type { CachedFace, FaceCache } from './face-cache.js';

export const lfwDir = resolve(process.cwd(), '../shared/lfw-dev');

interface ProtocolEntry {
  file: string;
  who: string;
  known?: boolean;
}

/** What the service decides for one face, given its nearest enrolled faces (best first) and the database size. */
export type FaceDecider = (
  hits: readonly FaceHit[],
  database: { performers: number; faces: number },
  face: CachedFace,
) => { performerId: string; confidence: number } | undefined;

/** Which face of a photo is the photo's subject (enrolment) or the face a probe asks about. */
export type FaceChooser = (faces: readonly CachedFace[], image: { width: number; height: number }) => CachedFace | undefined;

export interface ProbeRecord {
  who: string;
  known: boolean;
  /** Nearest performer distance and the next different performer's, when the probe had a face. */
  top1?: { performerId: string; distance: number };
  top2Distance?: number;
  decision?: { performerId: string; confidence: number };
  quality?: number;
}

export interface LfwData {
  gallery: { who: string; face: CachedFace | undefined }[];
  probes: { who: string; known: boolean; face: CachedFace | undefined }[];
  galleryPhotos: number;
  probePhotos: number;
}

export async function loadLfw(cache: FaceCache, chooseGallery: FaceChooser, chooseProbe: FaceChooser): Promise<LfwData> {
  const protocol = JSON.parse(readFileSync(join(lfwDir, 'protocol.json'), 'utf8')) as { gallery: ProtocolEntry[]; probes: ProtocolEntry[] };
  const gallery = [];
  for (const entry of protocol.gallery) {
    const image = await cache.analyze(readFileSync(join(lfwDir, entry.file)));
    gallery.push({ who: entry.who, face: chooseGallery(image.faces, image) });
  }
  const probes = [];
  for (const entry of protocol.probes) {
    const image = await cache.analyze(readFileSync(join(lfwDir, entry.file)));
    probes.push({ who: entry.who, known: entry.known === true, face: chooseProbe(image.faces, image) });
  }
  return { gallery, probes, galleryPhotos: protocol.gallery.length, probePhotos: protocol.probes.length };
}

/** A deterministic subsample of the gallery's people: the `size` whose name hashes lowest. */
export function subsampleGallery(data: LfwData, size: number): Set<string> {
  const people = [...new Set(data.gallery.filter((g) => g.face).map((g) => g.who))];
  if (size >= people.length) return new Set(people);
  const hash = (who: string) => createHash('sha256').update(who).digest('hex');
  return new Set(people.sort((a, b) => hash(a).localeCompare(hash(b))).slice(0, size));
}

const SEARCH_K = 50;

export function evaluate(data: LfwData, members: Set<string>, decide: FaceDecider, model: string): { row: BenchRow; probes: ProbeRecord[]; impostor: Float64Array } {
  const enrolled = data.gallery.filter((g) => g.face && members.has(g.who));
  const vectors = enrolled.map((g) => g.face!.embeddings[model]!);
  const database = { performers: members.size, faces: enrolled.length };
  const records: ProbeRecord[] = [];
  const impostor: number[] = [];
  for (const probe of data.probes) {
    const known = probe.known && members.has(probe.who);
    const record: ProbeRecord = { who: probe.who, known };
    records.push(record);
    if (!probe.face) continue;
    const query = probe.face.embeddings[model]!;
    const distances = vectors.map((vector) => 1 - dot(query, vector));
    distances.forEach((distance, i) => {
      if (enrolled[i]!.who !== probe.who) impostor.push(distance);
    });
    const order = distances.map((_, i) => i).sort((a, b) => distances[a]! - distances[b]!);
    const hits: FaceHit[] = order.slice(0, SEARCH_K).map((i) => ({ performerId: enrolled[i]!.who, distance: distances[i]!, faceId: i }));
    const first = hits[0];
    if (first) {
      record.top1 = { performerId: first.performerId, distance: first.distance };
      record.top2Distance = hits.find((hit) => hit.performerId !== first.performerId)?.distance;
    }
    record.quality = probe.face.quality;
    record.decision = decide(hits, database, probe.face);
  }
  return { row: summarise(records, database.performers), probes: records, impostor: Float64Array.from(impostor) };
}

function summarise(records: readonly ProbeRecord[], galleryPeople: number): BenchRow {
  const known = records.filter((r) => r.known);
  const unknown = records.filter((r) => !r.known);
  const withFace = records.filter((r) => r.top1);
  const rank1 = known.filter((r) => r.top1?.performerId === r.who).length / known.length;
  const dir = known.filter((r) => r.decision?.performerId === r.who).length / known.length;
  const wrongKnown = known.filter((r) => r.decision && r.decision.performerId !== r.who).length / known.length;
  const fpir = unknown.filter((r) => r.decision).length / unknown.length;
  return {
    gallery: galleryPeople,
    'known probes': known.length,
    'unknown probes': unknown.length,
    'probe faces found': withFace.length / records.length,
    'rank-1': rank1,
    DIR: dir,
    'known named wrong': wrongKnown,
    FPIR: fpir,
    'DIR@FPIR1%': dirAtFpir(records, 0.01),
  };
}

/** The best DIR a single distance threshold on the top-1 distance reaches while at most `fpir` of unknowns are named. */
export function dirAtFpir(records: readonly ProbeRecord[], fpir: number): number {
  const known = records.filter((r) => r.known);
  const unknown = records.filter((r) => !r.known);
  const unknownDistances = unknown.map((r) => r.top1?.distance ?? Infinity).sort((a, b) => a - b);
  const allowed = Math.floor(fpir * unknown.length);
  const threshold = unknownDistances[allowed] ?? Infinity; // strictly below this names at most `allowed` unknowns
  return known.filter((r) => r.top1 && r.top1.performerId === r.who && r.top1.distance < threshold).length / known.length;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
