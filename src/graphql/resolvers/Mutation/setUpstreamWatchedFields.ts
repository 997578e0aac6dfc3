import { toPerformerField } from '../../performer-fields.js';
import type { MutationResolvers } from './../../types.generated.js';

export const setUpstreamWatchedFields: NonNullable<MutationResolvers['setUpstreamWatchedFields']> = (_parent, { endpoint, fields }, { upstreamPerformers }) =>
  upstreamPerformers.setWatchedFields(endpoint, fields?.map(toPerformerField) ?? null);
