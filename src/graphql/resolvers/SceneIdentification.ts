import type   { SceneIdentificationResolvers } from './../types.generated.js';
    export const SceneIdentification: SceneIdentificationResolvers = {
    /* Implement SceneIdentification resolver logic here */
  };