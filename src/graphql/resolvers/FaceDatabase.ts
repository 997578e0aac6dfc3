import type   { FaceDatabaseResolvers } from './../types.generated.js';
    export const FaceDatabase: FaceDatabaseResolvers = {
    /* Implement FaceDatabase resolver logic here */
  };