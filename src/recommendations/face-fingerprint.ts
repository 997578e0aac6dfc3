// A scene's face fingerprint: who its stored identification recognised, and for what share of the frames.
import type { FaceFingerprint } from './duplicate-scenes.js';

/** A recognised person counts only when their best candidate is at least this sure. */
export const MIN_FINGERPRINT_CONFIDENCE = 0.5;

/**
 * Reads a stored scene identification (JSON written by an older or newer build, so checked field by field).
 * A performer is named by a stash-box id when the face database has one, so fingerprints made with different
 * database versions still compare; otherwise by the database's own id, qualified by its version.
 * Undefined when nobody was recognised: no face evidence either way.
 */
export function faceFingerprint(result: unknown, databaseVersion: string): FaceFingerprint | undefined {
  if (!isRecord(result) || !Array.isArray(result.persons)) return undefined;
  const frames = new Map<string, number>();
  for (const person of result.persons) {
    if (!isRecord(person) || person.status !== 'MATCHED' || !Array.isArray(person.candidates)) continue;
    const best: unknown = person.candidates[0];
    if (!isRecord(best) || typeof best.performerId !== 'string') continue;
    if (typeof best.confidence !== 'number' || best.confidence < MIN_FINGERPRINT_CONFIDENCE) continue;
    const weight = typeof person.frameCount === 'number' && person.frameCount > 0 ? person.frameCount : 1;
    const identity = performerIdentity(best.performerId, best.stashIds, databaseVersion);
    frames.set(identity, (frames.get(identity) ?? 0) + weight);
  }
  if (frames.size === 0) return undefined;
  const total = [...frames.values()].reduce((sum, n) => sum + n, 0);
  return new Map([...frames].map(([identity, n]) => [identity, n / total]));
}

function performerIdentity(performerId: string, stashIds: unknown, databaseVersion: string): string {
  const keys = Array.isArray(stashIds)
    ? stashIds.flatMap((s: unknown) => (isRecord(s) && typeof s.endpoint === 'string' && typeof s.stashId === 'string' ? [`${s.endpoint}|${s.stashId}`] : []))
    : [];
  return keys.sort()[0] ?? `${databaseVersion}:${performerId}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
