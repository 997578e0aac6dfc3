import { resolve } from 'node:path';
import { defaultDetectionThreshold } from '../../src/config.js';
import type { VisionConfig } from '../../src/vision/index.js';

/** The vision settings the accuracy benchmark measures: the service's defaults for the embedded profile. */
export const accuracyVisionConfig: VisionConfig = {
  modelsDir: resolve(process.cwd(), 'models'),
  profile: 'embedded',
  executionProvider: 'cpu',
  maxImagePixels: 100_000_000,
  detectionThreshold: defaultDetectionThreshold.embedded,
  flip: true,
};

/**
 * Bump DETECTION_REVISION whenever detection or embedding code changes what faces come back for the same photo,
 * so cached results are not reused across the change.
 */
export const DETECTION_REVISION = 'r2-headshot-padding';

export function visionSettingsKey(config: VisionConfig): string {
  return `${DETECTION_REVISION}|${config.detectionThreshold}|${config.flip}`;
}
