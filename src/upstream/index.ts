// Importing the Python stash-sense sidecar's published face database: Voyager `.voy` indices and the
// data directory around them.
export {
  E4M3_VALUES,
  FLOAT8_VALUES,
  parseVoyagerHeader,
  type VoyagerHeader,
  type VoyagerSpace,
  type VoyagerStorage,
} from './voyager-format.js';
export { decodeVoyager, readVoyagerFile, type VoyagerContents } from './voyager-read.js';
export {
  convertVoyagerToHnsw,
  readVoyagerHeader,
  type ConvertOptions,
  type ConvertProgress,
  type ConvertedIndex,
} from './voyager-convert.js';
export { loadConvertedIndex } from './hnsw-load.js';
export {
  UPSTREAM_MODELS,
  loadUpstreamDirectory,
  type OpenUpstreamOptions,
  type UpstreamDirectory,
  type UpstreamFace,
  type UpstreamIndexFile,
  type UpstreamModel,
  type UpstreamPerformer,
  type UpstreamProgress,
} from './directory.js';
export { parseManifest, type UpstreamManifest } from './manifest.js';
export { endpointUrlOfDomain, parseUniversalId, type StashBoxId } from './stash-box.js';
export { UPSTREAM_PROFILE, importUpstream, type ImportProgress, type ImportUpstreamOptions, type ImportUpstreamResult } from './import.js';
export { createImportService, type ImportService, type ImportServiceOptions, type ReleaseImportProgress } from './import-service.js';
export { fetchLatestRelease, parseReleaseIndex, isNewerRelease, INSTALLED_RELEASE_FILE, type UpstreamRelease, type UpstreamReleaseCheck } from './release-index.js';
export { RELEASE_DOWNLOAD_DIR } from './release-download.js';
export { createImportUpstreamJob, type ImportUpstreamJobInput } from './import-job.js';
