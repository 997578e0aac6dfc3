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
export { chooseImageSource, readImageSource, type ImageSource, type ImageSourceLimits } from './image-source.js';
