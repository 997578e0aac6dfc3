import type { LinkedCandidate, ScenePerson } from '../identify/index.js';

export interface TagBackThresholds {
  /** At or above: the performer is added to the scene. */
  autoApplyConfidence: number;
  /** At or above (and below auto-apply): a recommendation for a person to review. */
  suggestConfidence: number;
}

export interface SceneSuggestion {
  person: ScenePerson;
  candidate: LinkedCandidate;
}

export type SceneOutcome = 'APPLIED' | 'WOULD_APPLY' | 'RECOMMENDED' | 'NO_MATCH' | 'NO_FACES' | 'ALREADY_TAGGED';

export interface SceneDecision {
  /** The user's Stash performer ids to ADD. */
  add: string[];
  suggestions: SceneSuggestion[];
  outcome: SceneOutcome;
}

/**
 * Decides, from one scene's identification, what a batch does: each person's best candidate is added when it
 * is sure and in the library, suggested when plausible, and left alone otherwise. Pure.
 */
export function decideSceneTagBack(
  persons: readonly ScenePerson[],
  facesDetected: number,
  scenePerformerIds: readonly string[],
  thresholds: TagBackThresholds,
  dryRun: boolean,
): SceneDecision {
  if (facesDetected === 0) return { add: [], suggestions: [], outcome: 'NO_FACES' };
  const onScene = new Set(scenePerformerIds);
  const add = new Set<string>();
  const suggestions: SceneSuggestion[] = [];
  let alreadyTagged = 0;
  for (const person of persons) {
    const best = person.candidates[0];
    if (!best) continue;
    const linkedId = best.link.stashPerformerId;
    if (linkedId && onScene.has(linkedId)) {
      alreadyTagged += 1;
      continue;
    }
    if (best.confidence >= thresholds.autoApplyConfidence && linkedId) add.add(linkedId);
    else if (best.confidence >= thresholds.suggestConfidence) suggestions.push({ person, candidate: best });
  }
  const outcome: SceneOutcome =
    add.size > 0 ? (dryRun ? 'WOULD_APPLY' : 'APPLIED') : suggestions.length > 0 ? 'RECOMMENDED' : alreadyTagged > 0 ? 'ALREADY_TAGGED' : 'NO_MATCH';
  return { add: [...add], suggestions, outcome };
}
