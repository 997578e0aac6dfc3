import { fromStatusName, fromTypeName } from '../../../recommendations/index.js';
import type { QueryResolvers } from './../../types.generated.js';

export const recommendations: NonNullable<QueryResolvers['recommendations']> = (_parent, { filter, first, after }, { recommendations }) =>
  recommendations.list(
    {
      type: filter?.type ? fromTypeName(filter.type) : null,
      status: filter?.status ? fromStatusName(filter.status) : null,
      targetId: filter?.targetId ?? null,
    },
    first,
    after,
  );
