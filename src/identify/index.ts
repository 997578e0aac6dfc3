export {
  createIdentifyService,
  type IdentifyService,
  type IdentifyServiceDeps,
  type IdentifyOptions,
  type ImageIdentification,
  type IdentifiedFace,
  type Candidate,
  type FaceStatus,
  type MatchDefaults,
} from './identify-service.js';
export { chooseImageSource, readImageSource, isUploadedFile, type ImageSource, type ImageSourceLimits, type UploadedFile } from './image-source.js';
export {
  createSceneIdentifyService,
  type SceneIdentifyService,
  type SceneIdentification,
  type SceneIdentifyOptions,
  type SceneIdentifyDefaults,
  type ScenePerson,
  type LinkedCandidate,
} from './scene-service.js';
export type { FrameSourceName, FrameSourceReport } from './scene-frames.js';
export {
  createStashMediaIdentifyService,
  type StashMediaIdentifyService,
  type StashImageIdentification,
  type GalleryIdentification,
} from './stash-media-service.js';
