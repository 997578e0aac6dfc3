// Fits the embedded profile's calibration (src/match/open-set.ts) on LFW dev: the impostor tail by probit
// regression, the confidence by logistic regression on single photos and 2–5 photo templates; and reports the
// reliability of the shipped constants. The bench prints the fit; shipping it is a deliberate code change.
import { createHash } from 'node:crypto';
import { NAME_CONFIDENCE, matchConfidence, normalQuantile, openSetThreshold, type MatchCalibration } from '../../src/match/index.js';
import type { BenchRow } from '../report.js';
import type { LfwData } from './lfw.js';

export interface Sample {
  distance: number;
  margin: number;
  agreeingFrames: number;
  databaseFaces: number;
  correct: boolean;
}

/** Probit regression of the empirical quantiles from 1e-5 to 1e-2 onto the impostor distances. */
export function fitImpostorTail(sortedImpostor: Float64Array): { mean: number; sd: number; points: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let e = -5; e <= -2.0001; e += 0.25) {
    const q = 10 ** e;
    const index = Math.floor(q * sortedImpostor.length);
    if (index < 10) continue; // fewer than 10 pairs below: too noisy to fit
    xs.push(normalQuantile(q));
    ys.push(sortedImpostor[index]!);
  }
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sd = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return { mean: my - sd * mx, sd, points: n };
}

/** Features exactly as matchConfidence builds them. */
function features(calibration: MatchCalibration, sample: Sample): number[] {
  const z = (openSetThreshold(calibration, sample.databaseFaces) - sample.distance) / calibration.impostorTail.sd;
  const m = Math.min(sample.margin, calibration.marginCap) / calibration.impostorTail.sd;
  const f = Math.log(Math.min(Math.max(sample.agreeingFrames, 1), calibration.framesCap));
  return [1, z, m, f];
}

/**
 * Logistic regression by Newton's method with a small ridge. The frames coefficient is held at 0 or above:
 * a template's distance already carries what its frames agree on, and agreeing frames must never lower
 * confidence (a video's frames are not independent, so they are not allowed to raise it past the template either
 * unless the fit says so).
 */
export function fitLogistic(calibration: MatchCalibration, samples: readonly Sample[]): MatchCalibration['logistic'] {
  const all = fitLogisticMasked(calibration, samples, [1, 1, 1, 1]);
  return all.agreeingFrames >= 0 ? all : fitLogisticMasked(calibration, samples, [1, 1, 1, 0]);
}

function fitLogisticMasked(calibration: MatchCalibration, samples: readonly Sample[], mask: readonly number[]): MatchCalibration['logistic'] {
  const X = samples.map((sample) => features(calibration, sample).map((value, j) => value * mask[j]!));
  const y = samples.map((sample) => (sample.correct ? 1 : 0));
  let w = [0, 0, 0, 0];
  for (let iter = 0; iter < 50; iter++) {
    const grad = [0, 0, 0, 0];
    const hess = w.map(() => [0, 0, 0, 0]);
    X.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * w[j]!, 0)));
      for (let a = 0; a < 4; a++) {
        grad[a]! += (y[i]! - p) * x[a]!;
        for (let b = 0; b < 4; b++) hess[a]![b]! += p * (1 - p) * x[a]! * x[b]!;
      }
    });
    for (let a = 0; a < 4; a++) {
      grad[a]! -= 1e-3 * w[a]!;
      hess[a]![a]! += 1e-3;
    }
    const step = solve(hess, grad);
    w = w.map((v, j) => v + step[j]!);
    if (Math.hypot(...step) < 1e-8) break;
  }
  return { intercept: round(w[0]!), belowThreshold: round(w[1]!), margin: round(w[2]!), agreeingFrames: round(w[3]!) };
}

/**
 * Samples for the fit and the reliability table: every probe photo against galleries of 100, 1,000 and all
 * people, and templates of 2–5 photos of one person (the photos a scene person's frames stand in for).
 */
export function buildSamples(data: LfwData, calibration: MatchCalibration, model: string, gallerySets: readonly Set<string>[]): Sample[] {
  const samples: Sample[] = [];
  for (const members of gallerySets) {
    const enrolled = data.gallery.filter((g) => g.face && members.has(g.who));
    const vectors = enrolled.map((g) => g.face!.embeddings[model]!);
    const databaseFaces = enrolled.length;
    const limit = openSetThreshold(calibration, databaseFaces);
    const search = (query: Float32Array) => {
      const distances = vectors.map((vector) => 1 - dot(query, vector));
      let first = -1;
      let second = -1;
      distances.forEach((d, i) => {
        if (first < 0 || d < distances[first]!) {
          second = first;
          first = i;
        } else if (second < 0 || d < distances[second]!) second = i;
      });
      return { who: enrolled[first]!.who, distance: distances[first]!, margin: second < 0 ? Infinity : distances[second]! - distances[first]! };
    };
    const probes = data.probes.filter((p) => p.face);
    const single = probes.map((probe) => ({ probe, top: search(probe.face!.embeddings[model]!) }));
    for (const { probe, top } of single) {
      samples.push({ distance: top.distance, margin: top.margin, agreeingFrames: 1, databaseFaces, correct: probe.known && members.has(probe.who) && top.who === probe.who });
    }
    // Templates: a person's probe photos in fixed groups of up to 5.
    const byPerson = new Map<string, typeof single>();
    for (const entry of single) byPerson.set(entry.probe.who, [...(byPerson.get(entry.probe.who) ?? []), entry]);
    for (const [who, entries] of byPerson) {
      const ordered = [...entries].sort((a, b) => hash(a.probe.face!.embeddings[model]!).localeCompare(hash(b.probe.face!.embeddings[model]!)));
      for (let start = 0; start + 2 <= ordered.length && start < 25; start += 5) {
        const group = ordered.slice(start, start + 5);
        if (group.length < 2) continue;
        const sum = new Float32Array(group[0]!.probe.face!.embeddings[model]!.length);
        for (const entry of group) entry.probe.face!.embeddings[model]!.forEach((v, d) => (sum[d]! += v));
        const norm = Math.hypot(...sum);
        const template = sum.map((v) => v / norm);
        const top = search(template);
        const agreeingFrames = group.filter((entry) => entry.top.who === top.who && entry.top.distance <= limit).length;
        if (agreeingFrames === 0) continue;
        const known = group[0]!.probe.known && members.has(who);
        samples.push({ distance: top.distance, margin: top.margin, agreeingFrames, databaseFaces, correct: known && top.who === who });
      }
    }
  }
  return samples;
}

/** Candidates binned by confidence, against how often they were right; those at NAME_CONFIDENCE or above are named. */
export function reliability(calibration: MatchCalibration, samples: readonly Sample[]): BenchRow[] {
  const named = samples.filter((sample) => sample.distance <= openSetThreshold(calibration, sample.databaseFaces) + 0.1);
  const bins = [0, 0.3, 0.5, NAME_CONFIDENCE, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001];
  const rows: BenchRow[] = [];
  for (let b = 0; b + 1 < bins.length; b++) {
    const inBin = named.filter((sample) => {
      const c = matchConfidence(calibration, sample);
      return c >= bins[b]! && c < bins[b + 1]!;
    });
    if (inBin.length === 0) continue;
    rows.push({
      confidence: `${bins[b]!.toFixed(2)}–${Math.min(1, bins[b + 1]!).toFixed(2)}`,
      named: inBin.length,
      'mean confidence': inBin.reduce((s, x) => s + matchConfidence(calibration, x), 0) / inBin.length,
      'right share': inBin.filter((x) => x.correct).length / inBin.length,
      'of which templates': inBin.filter((x) => x.agreeingFrames > 1).length,
    });
  }
  return rows;
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function hash(vector: Float32Array): string {
  return createHash('sha256').update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)).digest('hex');
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
