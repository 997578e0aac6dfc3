import type   { BoxResolvers } from './../types.generated.js';
    export const Box: BoxResolvers = {
    /* Implement Box resolver logic here */
  };