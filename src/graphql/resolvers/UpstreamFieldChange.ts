import { FIELD_LABELS, LIST_FIELDS } from '../../stashbox/index.js';
import { toPerformerFieldName } from '../performer-fields.js';
import type { UpstreamFieldChangeResolvers } from './../types.generated.js';

export const UpstreamFieldChange: UpstreamFieldChangeResolvers = {
  field: ({ field }) => toPerformerFieldName(field),
  label: ({ field }) => FIELD_LABELS[field],
  list: ({ field }) => LIST_FIELDS.has(field),
};
