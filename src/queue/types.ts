import type { SceneIdentification } from '../identify/index.js';
import type { SceneSuggestion, TagBackItem, TagBackJobInput } from '../tagback/index.js';

/** One queue job: one scene of one batch, and the face database it must be identified with. */
export interface SceneStepData {
  batchId: string;
  round: string;
  sceneId: string;
  databaseVersion: string;
  input: TagBackJobInput;
}

/**
 * What a worker reports for a scene. Recommendations are recorded by the coordinating sidecar (its state holds
 * them), so the item comes without ids and the suggestions travel with it.
 */
export interface SceneStepResult {
  sceneId: string;
  worker: string;
  item: TagBackItem;
  add: string[];
  suggestions: SceneSuggestion[];
  scene: { id: string; title: string | null } | null;
  identification: SceneIdentification | null;
}
