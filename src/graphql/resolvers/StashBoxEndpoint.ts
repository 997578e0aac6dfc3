import { toPerformerFieldName } from '../performer-fields.js';
import type { StashBoxEndpointResolvers } from './../types.generated.js';

export const StashBoxEndpoint: StashBoxEndpointResolvers = {
  watchedFields: ({ watchedFields }) => watchedFields.map(toPerformerFieldName),
};
