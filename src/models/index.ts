export {
  PACKAGED_MANIFEST_PATH,
  loadModelManifest,
  parseManifest,
  type ModelManifest,
  type ModelProfile,
  type ModelFile,
  type ModelSource,
} from './manifest.js';
export { findMissingModelFiles, verifyModelFiles, type ModelPaths } from './verify.js';
export { fetchModelFiles, type FetchModelsOptions, type FetchProgress, type FetchedModel, type FetchOutcome } from './fetch.js';
export { createDownloadModelsJob, type DownloadModelsJobInput, type DownloadModelsJobResult, type DownloadModelsJobOptions } from './download-job.js';
export { extractZipEntry, extractOptionalZipEntry } from './zip.js';
