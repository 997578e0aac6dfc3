import type { QueryResolvers } from './../../types.generated.js';

export const sceneIdentification: NonNullable<QueryResolvers['sceneIdentification']> = (_parent, { sceneId }, { scenes }) =>
  scenes.lastSceneIdentification(sceneId) ?? null;
