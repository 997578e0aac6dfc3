export { loadModelManifest, parseManifest, type ModelManifest, type ModelProfile, type ModelFile, type ModelSource } from './manifest.js';
export { verifyModelFiles, type ModelPaths } from './verify.js';
