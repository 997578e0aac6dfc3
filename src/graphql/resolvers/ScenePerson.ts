import type   { ScenePersonResolvers } from './../types.generated.js';
    export const ScenePerson: ScenePersonResolvers = {
    /* Implement ScenePerson resolver logic here */
  };