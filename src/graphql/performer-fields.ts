// GraphQL spells performer fields in capitals (HAIR_COLOR); the stash-box module in snake case (hair_color).
import type { PerformerField as FieldName } from '../stashbox/index.js';
import type { PerformerField } from './types.generated.js';

export function toPerformerFieldName(field: FieldName): PerformerField {
  return field.toUpperCase() as PerformerField;
}

export function toPerformerField(name: PerformerField): FieldName {
  return name.toLowerCase() as FieldName;
}
