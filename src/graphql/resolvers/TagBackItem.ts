import type   { TagBackItemResolvers } from './../types.generated.js';
    export const TagBackItem: TagBackItemResolvers = {
    /* Implement TagBackItem resolver logic here */
  };