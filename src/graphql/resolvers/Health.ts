import type   { HealthResolvers } from './../types.generated.js';
    export const Health: HealthResolvers = {
    /* Implement Health resolver logic here */
  };