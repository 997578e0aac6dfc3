import type   { PerformerLinkResolvers } from './../types.generated.js';
    export const PerformerLink: PerformerLinkResolvers = {
    /* Implement PerformerLink resolver logic here */
  };