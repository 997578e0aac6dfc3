// The CLI beside a running service: jobs go to the service over its GraphQL API (it holds the job runner and
// the face database), and the command follows the job's progress there instead of refusing to run.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, Env } from '../config.js';
import { SenseError, errorMessage, isErrorCode, type ErrorCode } from '../errors.js';
import { isJobRunnerActive } from '../state/index.js';

export interface ServiceClient {
  /** Where the service answers (no credentials in it). */
  readonly url: string;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface RemoteJob {
  id: string;
  kind: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  progress: { done: number; total: number | null; current: string | null; etaSec: number | null };
  error: { code: string; message: string } | null;
}

export const REMOTE_JOB_FIELDS = 'id kind status progress { done total current etaSec } error { code message }';

/**
 * The running service to hand jobs to: the one at `--url`, or, when a process holds DATA_DIR's job runner lock,
 * the one at HOST:PORT. undefined when none runs, so the command runs in-process. The key is API_KEY or the
 * service's key file DATA_DIR/api-key, sent as the ApiKey header.
 */
export async function findRunningService(options: { config: Config; env: Env; url?: string }): Promise<ServiceClient | undefined> {
  const { config, env } = options;
  let url = options.url;
  if (url === undefined) {
    if (!isJobRunnerActive(config.paths.dataDir)) return undefined;
    const host = ['0.0.0.0', '::', ''].includes(config.server.host) ? '127.0.0.1' : config.server.host;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
  }
  let base: URL;
  try {
    base = new URL(url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new SenseError('BAD_INPUT', `--url: "${url}" is not an http(s) URL of a running Stash Sense`);
  }
  const key = env.API_KEY?.trim() || (await readFile(join(config.paths.dataDir, 'api-key'), 'utf8').then((text) => text.trim(), () => '')) || undefined;
  return createServiceClient(base.origin, key);
}

export function createServiceClient(origin: string, apiKey: string | undefined): ServiceClient {
  return {
    url: origin,
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(apiKey ? { ApiKey: apiKey } : {}) },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error: unknown) {
        throw new SenseError(
          'CONFLICT',
          `A Stash Sense service holds the job lock on this data folder but does not answer at ${origin} (${errorMessage(error)}); ` +
            'give its address with --url, or stop it to run here',
        );
      }
      const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
      const first = body.errors?.[0];
      if (first) throw new SenseError(toErrorCode(first.extensions?.code), `the service at ${origin} answered: ${first.message}`);
      if (!response.ok || body.data === undefined) throw new SenseError('INTERNAL', `the service at ${origin} answered HTTP ${response.status}`);
      return body.data;
    },
  };
}

/**
 * Polls `job(id)` until the job ends, reporting each change. An abort (Ctrl-C) cancels the job on the service,
 * then keeps following until it has stopped.
 */
export async function followRemoteJob(client: ServiceClient, id: string, options: { signal: AbortSignal; intervalMs?: number; onUpdate(job: RemoteJob): void }): Promise<RemoteJob> {
  let cancelSent = false;
  for (;;) {
    if (options.signal.aborted && !cancelSent) {
      cancelSent = true;
      await client.request(`mutation ($id: ID!) { cancelJob(id: $id) { id } }`, { id });
    }
    const { job } = await client.request<{ job: RemoteJob | null }>(`query ($id: ID!) { job(id: $id) { ${REMOTE_JOB_FIELDS} } }`, { id });
    if (!job) throw new SenseError('NOT_FOUND', `Job ${id} is gone from the service at ${client.url}`);
    options.onUpdate(job);
    if (job.status === 'COMPLETED' || job.status === 'FAILED' || job.status === 'CANCELLED') return job;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

function toErrorCode(code: string | undefined): ErrorCode {
  return isErrorCode(code) ? code : 'INTERNAL';
}

/**
 * Starts a job with the mutation `call` (a field returning Job, with its `declare`d variables), follows it with a progress bar titled `title`,
 * and returns its parsed result; a failed job throws its error, a cancelled one CANCELLED.
 */
export async function runJobThroughService<T>(
  service: ServiceClient,
  start: { call: string; declare?: string; variables?: Record<string, unknown> },
  out: { title: string; stderr: NodeJS.WriteStream; signal: AbortSignal; createBar: (stream: NodeJS.WriteStream, title: string) => { update(done: number, total: number, label?: string): void; finish(): void } },
): Promise<T> {
  const { job: started } = await service.request<{ job: RemoteJob }>(`mutation ${start.declare ?? ''} { job: ${start.call} { ${REMOTE_JOB_FIELDS} } }`, start.variables);
  out.stderr.write(`Job ${started.id} (${started.kind}) runs in the service at ${service.url}; following its progress.\n`);
  const bar = out.createBar(out.stderr, out.title);
  const last = await followRemoteJob(service, started.id, {
    signal: out.signal,
    onUpdate: (job) => bar.update(job.progress.done, job.progress.total ?? 0, job.progress.current ?? ''),
  });
  bar.finish();
  if (last.status === 'FAILED') throw new SenseError(isErrorCode(last.error?.code) ? last.error.code : 'INTERNAL', last.error?.message ?? `Job ${last.id} failed`);
  if (last.status === 'CANCELLED') throw new SenseError('CANCELLED', `Job ${last.id} was cancelled`);
  const { job: ended } = await service.request<{ job: { result: string | null } | null }>(`query ($id: ID!) { job(id: $id) { result } }`, { id: started.id });
  if (!ended?.result) throw new SenseError('INTERNAL', `Job ${started.id} completed without a result`);
  return JSON.parse(ended.result) as T;
}
