import type   { DuplicateSceneDetailsResolvers } from './../types.generated.js';
    export const DuplicateSceneDetails: DuplicateSceneDetailsResolvers = {
    /* Implement DuplicateSceneDetails resolver logic here */
  };