import type   { SceneFilesDetailsResolvers } from './../types.generated.js';
    export const SceneFilesDetails: SceneFilesDetailsResolvers = {
    /* Implement SceneFilesDetails resolver logic here */
  };