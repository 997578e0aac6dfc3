export { chooseLink, createPerformerLinker, notInLibrary, type LinkRule, type PerformerLink, type PerformerLinker, type LinkablePerformer } from './link-performers.js';
export { createStashBoxLinkService, type StashBoxLinkDeps, type StashBoxLinkOutcome, type StashBoxLinkResult, type StashBoxLinkService } from './stashbox-link.js';
