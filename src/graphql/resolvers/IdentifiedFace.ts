import type   { IdentifiedFaceResolvers } from './../types.generated.js';
    export const IdentifiedFace: IdentifiedFaceResolvers = {
    /* Implement IdentifiedFace resolver logic here */
  };