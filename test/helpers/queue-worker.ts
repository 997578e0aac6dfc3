import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export interface QueueWorkerProcess {
  name: string;
  child: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  exited: Promise<unknown>;
}

/** What the README tells a worker host to do: copy performers.db and its index files into its DATA_DIR. */
export function copyFaceDatabase(fromDataDir: string, toDataDir: string): void {
  mkdirSync(toDataDir, { recursive: true });
  for (const file of readdirSync(fromDataDir)) if (file === 'performers.db' || file.endsWith('.hnsw')) copyFileSync(join(fromDataDir, file), join(toDataDir, file));
}

/**
 * `stash-sense serve` with WORKER_ONLY=true in its own process, as an extra GPU host runs it; resolves once it
 * listens (its queue worker has started by then).
 */
export function startQueueWorker(options: {
  name: string;
  dataDir: string;
  queueUrl: string;
  stash: { url: string; apiKey: string | null };
  env?: Record<string, string>;
}): Promise<QueueWorkerProcess> {
  mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(process.execPath, [join(repoRoot, 'bin/stash-sense.js'), 'serve'], {
    env: {
      ...process.env,
      DATA_DIR: options.dataDir,
      MODELS_DIR: join(repoRoot, 'models'),
      EXECUTION_PROVIDER: 'cpu',
      HOST: '127.0.0.1',
      PORT: '0',
      STASH_URL: options.stash.url,
      STASH_API_KEY: options.stash.apiKey ?? '',
      QUEUE_URL: options.queueUrl,
      WORKER_ONLY: 'true',
      WORKER_NAME: options.name,
      ...options.env,
    },
  });
  let log = '';
  const worker: QueueWorkerProcess = { name: options.name, child, log: () => log, exited: new Promise((resolve) => child.once('exit', resolve)) };
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/listening url=/.test(log)) resolve(worker);
    });
    child.once('exit', (code) => reject(new Error(`worker ${options.name} exited (${code}) before it started:\n${log}`)));
  });
}
