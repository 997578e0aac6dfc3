import type { StashBoxLinkOutcome, StashBoxPerformerResultResolvers } from './../types.generated.js';

export const StashBoxPerformerResult: StashBoxPerformerResultResolvers = {
  outcome: ({ outcome }) => outcome.toUpperCase() as StashBoxLinkOutcome,
};
