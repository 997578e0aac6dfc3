import { SenseError, isSenseError } from '../errors.js';
import type { Logger } from '../logger.js';
import { readImageFrame, readSpriteFrames, type Frame, type VideoFrameSource, type VideoStream } from '../frames/index.js';
import type { StashClient, StashScene } from '../stash/index.js';

export type FrameSourceName = 'STREAM' | 'SPRITE' | 'SCREENSHOT';

export interface FrameSourceReport {
  source: FrameSourceName;
  frames: number;
  faces: number;
  /** Why this source gave nothing (others may still have); null when it worked. */
  error: string | null;
}

export interface SceneFrameOptions {
  sources: readonly FrameSourceName[];
  frameCount: number;
  signal?: AbortSignal;
}

/**
 * Every frame of the scene's chosen sources, as they decode. A source that fails is reported and the others go
 * on; when every source fails the first failure is thrown, so a broken video alone is a clear error.
 */
export async function* readSceneFrames(
  scene: StashScene,
  deps: { stash: StashClient; video: VideoFrameSource; logger: Logger },
  options: SceneFrameOptions,
  reports: Map<FrameSourceName, FrameSourceReport>,
): AsyncGenerator<Frame> {
  const fetchMedia = async (url: string, fetchOptions?: { signal?: AbortSignal }) => new Uint8Array(await deps.stash.fetchMedia(url, { signal: fetchOptions?.signal }));
  const failures: SenseError[] = [];
  for (const source of options.sources) {
    const report: FrameSourceReport = { source, frames: 0, faces: 0, error: null };
    reports.set(source, report);
    try {
      for await (const frame of framesOf(source)) {
        report.frames += 1;
        yield frame;
      }
    } catch (error: unknown) {
      if (!isSenseError(error) || error.code === 'CANCELLED' || options.signal?.aborted) throw error;
      report.error = error.message;
      failures.push(error);
      deps.logger.warn('frame source failed', { sceneId: scene.id, source, error: error.message });
    }
  }
  const failed = failures[0];
  if (failed && failures.length === options.sources.length) throw failed;

  async function* framesOf(source: FrameSourceName): AsyncGenerator<Frame> {
    if (source === 'STREAM') {
      const file = scene.files[0];
      if (!scene.paths.stream || !file) throw new SenseError('BAD_INPUT', `Scene ${scene.id} has no video file to read frames from`);
      // ffmpeg reads through a loopback proxy that adds the key, so neither the key nor the proxy's token reaches
      // its command line.
      const proxy = await deps.stash.openStreamProxy(scene.paths.stream);
      try {
        const stream: VideoStream = { url: proxy.url, proxy: proxy.proxy, label: `scene ${scene.id} stream`, durationSec: file.durationSeconds > 0 ? file.durationSeconds : undefined };
        yield* deps.video.frames(stream, { frameCount: options.frameCount, signal: options.signal });
      } finally {
        await proxy.close();
      }
    } else if (source === 'SPRITE') {
      if (!scene.paths.vtt) throw new SenseError('BAD_INPUT', `Scene ${scene.id} has no sprite sheet (generate sprites in Stash)`);
      yield* await readSpriteFrames({ vttUrl: scene.paths.vtt, spriteUrl: scene.paths.sprite ?? undefined }, fetchMedia, { signal: options.signal, logger: deps.logger });
    } else {
      if (!scene.paths.screenshot) throw new SenseError('BAD_INPUT', `Scene ${scene.id} has no screenshot`);
      yield await readImageFrame(scene.paths.screenshot, fetchMedia, { source: 'screenshot', signal: options.signal });
    }
  }
}
