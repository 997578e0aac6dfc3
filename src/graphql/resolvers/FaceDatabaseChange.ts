import type { FaceDatabaseChangeResolvers } from './../types.generated.js';

export const FaceDatabaseChange: FaceDatabaseChangeResolvers = {};
