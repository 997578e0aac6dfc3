export {
  createStashClient,
  type StashClient,
  type StashClientOptions,
  type StashMediaOptions,
  type StashRequestOptions,
} from './client.js';
export type { StreamProxy } from './stream-proxy.js';
export { getScene, listScenes, addPerformersToScenes, type AddPerformersOptions, type ListScenesOptions } from './scenes.js';
export {
  getImage,
  getGallery,
  listImages,
  listGalleryImages,
  addPerformersToImages,
  addPerformersToGalleries,
  type ListImagesOptions,
} from './images.js';
export {
  getPerformer,
  findPerformersByStashId,
  findPerformersByName,
  listPerformers,
  createPerformer,
  mergePerformers,
  type ListPerformersOptions,
  type NewStashPerformer,
} from './performers.js';
export { ensureTag, findTagByName } from './tags.js';
export { checkStash, type StashHealth } from './system.js';
export { redactUrl } from './urls.js';
export type {
  StashGallery,
  StashId,
  StashImage,
  StashPage,
  StashPerformer,
  StashPerformerRef,
  StashScene,
  StashTag,
  StashTagRef,
  StashTaggedItem,
  StashVideoFile,
} from './types.js';
// The typed documents and Stash's input types, for operations the helpers above do not cover.
export * from './generated/graphql.js';
