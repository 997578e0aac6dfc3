import { toPerformerField } from '../../performer-fields.js';
import type { FieldChoice } from '../../../recommendations/index.js';
import type { MutationResolvers, UpstreamFieldChoiceInput } from './../../types.generated.js';

export const acceptRecommendation: NonNullable<MutationResolvers['acceptRecommendation']> = (_parent, { id, choice, fields }, { recommendations }) =>
  recommendations.accept(id, choice, undefined, fields?.map(toFieldChoice));

function toFieldChoice(input: UpstreamFieldChoiceInput): FieldChoice {
  const field = toPerformerField(input.field);
  if (input.use === 'VALUE') return { field, use: 'value', value: [...(input.value ?? [])] };
  return { field, use: input.use === 'LOCAL' ? 'local' : 'upstream' };
}
