import { runCapture } from './run-capture.js';

export interface FfmpegStatus {
  available: boolean;
  /** e.g. "5.1.6-0+deb12u1"; null when ffmpeg is missing. */
  version: string | null;
}

/** For `GET /health/ffmpeg`: runs `ffmpeg -version` (5 s limit, as the Python sidecar does). */
export async function checkFfmpeg(options: { ffmpegPath?: string; timeoutMs?: number } = {}): Promise<FfmpegStatus> {
  const result = await runCapture(options.ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-version'], { timeoutMs: options.timeoutMs ?? 5000 });
  if (result.kind !== 'exited' || result.exitCode !== 0) return { available: false, version: null };
  const version = /ffmpeg version (\S+)/.exec(result.stdout)?.[1] ?? null;
  return { available: true, version };
}
