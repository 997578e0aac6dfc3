import type   { SceneFileInfoResolvers } from './../types.generated.js';
    export const SceneFileInfo: SceneFileInfoResolvers = {
    /* Implement SceneFileInfo resolver logic here */
  };