import type   { DuplicatePerformerDetailsResolvers } from './../types.generated.js';
    export const DuplicatePerformerDetails: DuplicatePerformerDetailsResolvers = {
    /* Implement DuplicatePerformerDetails resolver logic here */
  };