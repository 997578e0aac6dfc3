import type   { ScenePerformerDetailsResolvers } from './../types.generated.js';
    export const ScenePerformerDetails: ScenePerformerDetailsResolvers = {
    /* Implement ScenePerformerDetails resolver logic here */
  };