import type   { SceneTimingsResolvers } from './../types.generated.js';
    export const SceneTimings: SceneTimingsResolvers = {
    /* Implement SceneTimings resolver logic here */
  };