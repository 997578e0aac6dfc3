export {
  createStashBoxClient,
  safeEndpoint,
  type RateGate,
  type StashBoxClient,
  type StashBoxClientOptions,
  type StashBoxEndpoint,
  type StashBoxRequestOptions,
} from './client.js';
export { createStashBoxConnections, sameEndpoint, type StashBoxConnections, type StashBoxConnectionsDeps } from './connections.js';
export { getStashBoxPerformer } from './performers.js';
export {
  FIELD_LABELS,
  LIST_FIELDS,
  PERFORMER_FIELDS,
  localFieldValues,
  sameValue,
  toStashBoxPerformer,
  toStashPerformerInput,
  uniqueList,
  type FieldValues,
  type PerformerField,
  type StashBoxPerformer,
} from './performer-fields.js';
