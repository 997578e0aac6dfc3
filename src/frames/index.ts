// Frame sources for identification: video frames over Stash's stream (ffmpeg), the sprite sheet cut by
// its VTT cues, and still images (screenshots, image files, uploads).
export type { FetchMedia, Frame, FrameSourceKind, RgbImage, VideoStream } from './types.js';
export {
  collectFrames,
  createVideoFrameSource,
  defaultVideoFrameOptions,
  type ExtractOptions,
  type VideoFrameOptions,
  type VideoFrameSource,
  type VideoFrameSourceDeps,
} from './video-frames.js';
export type { VideoProbe } from './probe-video.js';
export { checkFfmpeg, type FfmpegStatus } from './ffmpeg-check.js';
export { planFrameTimestamps, planSeekJobs, type SeekJob, type SeekSegment, type SeekTarget } from './seek-plan.js';
export {
  cutSpriteFrames,
  parseThumbnailVtt,
  parseVttTime,
  readSpriteFrames,
  type ParsedVtt,
  type SpriteCue,
  type SpriteReadOptions,
  type SpriteSource,
} from './sprite-sheet.js';
export { decodeImage, decodeImageFrame, readImageFrame, type ImageDecodeOptions, type ImageFrameOptions } from './image-frame.js';
