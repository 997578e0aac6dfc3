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
