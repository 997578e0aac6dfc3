import type { StashBoxClient, StashBoxRequestOptions } from './client.js';
import { FindStashBoxPerformerDocument } from './generated/graphql.js';
import { toStashBoxPerformer, type StashBoxPerformer } from './performer-fields.js';

/** The stash-box performer, or undefined when that stash-box has no performer with that id. */
export async function getStashBoxPerformer(client: StashBoxClient, id: string, options: StashBoxRequestOptions = {}): Promise<StashBoxPerformer | undefined> {
  const { findPerformer } = await client.request(FindStashBoxPerformerDocument, { id }, options);
  return findPerformer ? toStashBoxPerformer(client.endpoint, findPerformer) : undefined;
}
