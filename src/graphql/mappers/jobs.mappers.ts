import type { Job } from '../../jobs/index.js';
import type { TagBackItem, TagBackSummary } from '../../tagback/index.js';

// The domain objects behind the jobs module's types; their resolvers add what GraphQL names differently.
export type JobMapper = Job;
export type JobErrorMapper = NonNullable<Job['error']>;
export type TagBackSummaryMapper = TagBackSummary;
export type TagBackItemMapper = TagBackItem;
