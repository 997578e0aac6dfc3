export {
  createStashDouble,
  stashDoubleSchema,
  type RecordedMutation,
  type RecordedRequest,
  type StashDouble,
  type StashDoubleMode,
  type StashDoubleOptions,
} from './stash-double.js';
export type {
  GalleryFixture,
  ImageFixture,
  MediaSource,
  PerformerFixture,
  StashBoxFixture,
  SceneFixture,
  StashIdFixture,
  StudioFixture,
  TagFixture,
  VideoFileFixture,
} from './fixtures.js';
export { buildStashSchema, loadStashSdl, stashSchemaDir } from './schema.js';
export {
  buildSceneVideo,
  buildScreenshot,
  buildSpriteSheet,
  createMediaCache,
  facePhoto,
  type MediaCache,
  type SceneVideo,
  type SceneVideoOptions,
  type SpriteSheet,
  type SpriteSheetOptions,
  type VideoSegment,
} from './media.js';
