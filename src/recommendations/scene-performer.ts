// A performer identification suggests for a scene but was not sure enough to add. Pure.
import type { LinkedCandidate, SceneIdentification, ScenePerson } from '../identify/index.js';
import type { Proposal } from './types.js';

export interface ScenePerformerInput {
  scene: { id: string; title: string | null };
  suggestion: { person: ScenePerson; candidate: LinkedCandidate };
  /** The face database's version the identification was made with. */
  databaseVersion: string;
}

/**
 * What a dismissal of a suggestion remembers. The confidence is an anchor, not the latest value: a rerun moves
 * it by a few hundredths, and only a move of at least MATERIAL_CONFIDENCE_CHANGE (or another face database, or
 * another Stash performer to add) brings a dismissed suggestion back.
 */
export interface ScenePerformerEvidence {
  databaseVersion: string;
  stashPerformerId: string | null;
  confidence: number;
}

export const MATERIAL_CONFIDENCE_CHANGE = 0.15;

/**
 * Stable across face-database rebuilds where it can be: the performer's stash-box id, else the database's own
 * performer id.
 */
export function scenePerformerKey(sceneId: string, candidate: LinkedCandidate): string {
  const stashKeys = candidate.stashIds.map((s) => `${s.endpoint}|${s.stashId}`).sort();
  return `scene:${sceneId}|candidate:${stashKeys[0] ?? `face-db:${candidate.performerId}`}`;
}

export function proposeScenePerformer(input: ScenePerformerInput, previous?: ScenePerformerEvidence): Proposal<'scene_performer'> & { evidence: ScenePerformerEvidence } {
  const { scene, suggestion, databaseVersion } = input;
  const { candidate, person } = suggestion;
  const stashPerformerId = candidate.link.stashPerformerId;
  const confidence = Math.round(candidate.confidence * 100) / 100;
  const keepAnchor =
    previous !== undefined &&
    previous.databaseVersion === databaseVersion &&
    previous.stashPerformerId === stashPerformerId &&
    Math.abs(previous.confidence - confidence) < MATERIAL_CONFIDENCE_CHANGE;
  const evidence: ScenePerformerEvidence = keepAnchor ? previous : { databaseVersion, stashPerformerId, confidence };
  return {
    type: 'scene_performer',
    key: scenePerformerKey(scene.id, candidate),
    targets: [{ type: 'scene', id: scene.id }, ...(stashPerformerId ? [{ type: 'performer' as const, id: stashPerformerId }] : [])],
    confidence: Math.min(1, Math.max(0, candidate.confidence)),
    summary: describe(input),
    details: { sceneId: scene.id, sceneTitle: scene.title, candidate, thumbnail: person.thumbnail || null, personId: person.personId },
    evidence,
  };
}

function describe({ scene, suggestion: { candidate, person } }: ScenePerformerInput): string {
  const where = scene.title ? `scene ${scene.id} "${scene.title}"` : `scene ${scene.id}`;
  const how = `${Math.round(candidate.confidence * 100)}% sure, seen in ${person.frameCount} frame${person.frameCount === 1 ? '' : 's'}`;
  const { link } = candidate;
  if (!link.stashPerformerId) return `${candidate.name} may be in ${where} (${how}), but is not in your Stash library: create the performer in Stash first`;
  const via = link.rule === 'STASH_ID' ? 'stash-box ID' : link.rule === 'ALIAS' ? 'alias' : 'name';
  return `Add ${link.stashPerformerName ?? candidate.name} (#${link.stashPerformerId}, linked by ${via}) to ${where}: ${how}`;
}

/** The suggestion a stored scene identification makes for one face-database performer, if it lists them. */
export function scenePerformerInputFrom(result: unknown, performerId: string, databaseVersion: string): ScenePerformerInput | undefined {
  const identification = result as Partial<SceneIdentification> | null;
  for (const person of identification?.persons ?? []) {
    const candidate = person.candidates.find((c) => c.performerId === performerId);
    if (candidate) return { scene: { id: identification!.sceneId!, title: identification!.title ?? null }, suggestion: { person, candidate }, databaseVersion };
  }
  return undefined;
}
