// Names in Redis for one distributed batch. BullMQ keeps its own keys under `bull:<queue>`; ours sit beside them.

/** The BullMQ queue every sidecar and worker sharing a Redis uses for tag-back scene steps. */
export const TAGBACK_QUEUE = 'stash-sense-tagback';

const PREFIX = 'stash-sense:tagback';

export interface BatchKeys {
  /** The batch's live round; a step from another round (or after a cancel) is stale and does nothing. */
  round: string;
  /** Each scene's plan (identification and decision), set once: a step that runs twice reuses it. */
  plans: string;
  /** A stream of finished steps, read by the coordinating sidecar. */
  results: string;
  /** Per scene: who is writing to Stash now (`writing:<token>`, expiring), or `done` once written. */
  apply(sceneId: string): string;
}

export function batchKeys(batchId: string): BatchKeys {
  const base = `${PREFIX}:${batchId}`;
  return { round: `${base}:round`, plans: `${base}:plans`, results: `${base}:results`, apply: (sceneId) => `${base}:apply:${sceneId}` };
}

/** BullMQ refuses ':' in custom ids; a deterministic id lets a re-add of the same step be ignored. */
export function stepJobId(batchId: string, round: string, sceneId: string): string {
  return `${batchId}_${round}_${sceneId}`;
}

/** The round value a cancelled batch holds, so no worker starts another of its scenes. */
export const CANCELLED_ROUND = 'cancelled';
