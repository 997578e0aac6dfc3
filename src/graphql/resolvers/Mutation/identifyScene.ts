import type { MutationResolvers } from './../../types.generated.js';

export const identifyScene: NonNullable<MutationResolvers['identifyScene']> = (_parent, { sceneId, options }, { scenes, signal }) =>
  scenes.identifyScene(sceneId, options ?? {}, signal);
