import type   { BodySignalEffectResolvers } from './../types.generated.js';
    export const BodySignalEffect: BodySignalEffectResolvers = {
    /* Implement BodySignalEffect resolver logic here */
  };