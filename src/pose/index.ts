export type { BodyMeasurement, BodyCrop, Keypoint, NoBodySignalReason } from './types.js';
export { bodyCropFor, letterbox, BODY_CROP, type Letterbox } from './body-crop.js';
export { shoulderHipRatio, SHOULDER_HIP_RULES, KEYPOINT } from './shoulder-hip.js';
export { medianRatio, bodyReferenceOf, combineMeasurements, type BodyReference } from './reference.js';
export { openMoveNet, packagedMoveNetFiles, MOVENET_INPUT_SIDE, type PoseEstimator, type MoveNetFiles } from './movenet.js';
export { createBodySignal, type BodySignal } from './body-signal.js';
export { adjustForBody, bodyMultiplier, BODY_ADJUST, type BodyEffect, type BodySkipReason, type BodyPolicy, type BodyAdjustOptions } from './body-adjust.js';
