import type { FaceDatabaseWriter } from '../faces/index.js';
import { bodyReferenceOf } from '../pose/index.js';

/**
 * Inside a write: records the body ratio of each newly added face that gave one, then brings the references
 * of the performers touched up to date (the median over all their recorded photos).
 */
export function recordBodyRatios(writer: FaceDatabaseWriter, added: readonly { performerId: string; faceId: number | undefined; bodyRatio?: number }[]): void {
  const touched = new Set<string>();
  for (const { performerId, faceId, bodyRatio } of added) {
    if (faceId === undefined || bodyRatio === undefined) continue;
    writer.setFaceBodyRatio(faceId, bodyRatio);
    touched.add(performerId);
  }
  for (const performerId of touched) updateBodyReference(writer, performerId);
}

export function updateBodyReference(writer: FaceDatabaseWriter, performerId: string): void {
  writer.setBodyReference(performerId, bodyReferenceOf(writer.faceBodyRatios(performerId)) ?? null);
}
