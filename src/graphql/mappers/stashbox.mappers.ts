// The link service's result, with its outcome in snake case; StashBoxPerformerResult's resolver spells it as the schema does.
import type { StashBoxLinkResult } from '../../link/index.js';

export type StashBoxPerformerResultMapper = StashBoxLinkResult;
