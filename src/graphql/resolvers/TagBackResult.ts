import type   { TagBackResultResolvers } from './../types.generated.js';
    export const TagBackResult: TagBackResultResolvers = {
    /* Implement TagBackResult resolver logic here */
  };