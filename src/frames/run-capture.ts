// Runs a short-lived tool (ffprobe, `ffmpeg -version`) to completion and keeps what it printed.
import { spawn } from 'node:child_process';

export type CaptureResult =
  | { kind: 'exited'; exitCode: number | null; stdout: string; stderrLines: string[] }
  | { kind: 'not-started'; reason: 'missing-binary' | 'spawn-failed'; message: string }
  | { kind: 'timed-out' }
  | { kind: 'aborted' };

const MAX_OUTPUT_CHARS = 1_000_000;

export function runCapture(binary: string, args: string[], options: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<CaptureResult> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ kind: 'aborted' });
    const child = spawn(binary, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ended: CaptureResult | undefined;
    const stop = (result: CaptureResult): void => {
      ended ??= result;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop({ kind: 'timed-out' }), options.timeoutMs);
    const onAbort = (): void => stop({ kind: 'aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += text;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      ended ??= { kind: 'not-started', reason: error.code === 'ENOENT' ? 'missing-binary' : 'spawn-failed', message: error.message };
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(ended ?? { kind: 'exited', exitCode, stdout, stderrLines: stderr.split(/\r?\n/).filter(Boolean) });
    });
  });
}
