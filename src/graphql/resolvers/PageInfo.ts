import type   { PageInfoResolvers } from './../types.generated.js';
    export const PageInfo: PageInfoResolvers = {
    /* Implement PageInfo resolver logic here */
  };