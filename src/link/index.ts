export { chooseLink, createPerformerLinker, notInLibrary, type LinkRule, type PerformerLink, type PerformerLinker, type LinkablePerformer } from './link-performers.js';
