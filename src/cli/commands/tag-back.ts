import { parseArgs } from 'node:util';
import { openApp } from '../../app.js';
import { SenseError, isErrorCode, type ErrorCode } from '../../errors.js';
import type { FrameSourceName } from '../../identify/index.js';
import type { Job } from '../../jobs/index.js';
import type { TagBackScope, TagBackSummary } from '../../tagback/index.js';
import type { Command } from '../command.js';
import { createProgressBar } from '../progress.js';
import { findRunningService, followRemoteJob, REMOTE_JOB_FIELDS, type RemoteJob, type ServiceClient } from '../service-client.js';

const help = `Usage: stash-sense tag-back [options] [--data-dir DIR]

Identifies many scenes and writes the performers it is sure of back to Stash (ADD only); plausible
matches become recommendations to review. Resumes an interrupted batch instead of starting another.
  --scope S           without-performers (default), all, ids, filter
  --scene ID          a scene to process (repeat; implies --scope ids)
  --filter JSON       a Stash SceneFilterType (with --scope filter)
  --auto-apply C      add performers at or above this confidence (default 0.95)
  --suggest C         recommend at or above this confidence (default 0.5)
  --frames N          frames per scene (default SCENE_FRAMES)
  --sources LIST      stream,sprite,screenshot (default all)
  --limit N           stop after N scenes
  --dry-run           change nothing in Stash, record nothing
  --force             identify scenes again even if done with this face database
  --tag               also add the suggested tag (SUGGESTED_TAG)
  --json              print the summary as JSON
  --url URL           the running service to hand the job to (default: the one at HOST:PORT, when it runs)
Needs STASH_URL (and STASH_API_KEY). When the service runs on this data folder (in Docker it always does),
the job runs there (startTagBack over its API, key from API_KEY or DATA_DIR/api-key) and this command follows
its progress; Ctrl-C cancels it. Otherwise it runs here.
`;

const scopes: Record<string, TagBackScope> = { 'without-performers': 'SCENES_WITHOUT_PERFORMERS', all: 'ALL_SCENES', ids: 'SCENE_IDS', filter: 'SCENE_FILTER' };

export const tagBack: Command = async ({ args, env, config, logger, stdout, stderr, signal, checkDataDir }) => {
  const { values } = parseArgs({
    args,
    options: {
      scope: { type: 'string' },
      scene: { type: 'string', multiple: true },
      filter: { type: 'string' },
      'auto-apply': { type: 'string' },
      suggest: { type: 'string' },
      frames: { type: 'string' },
      sources: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      tag: { type: 'boolean' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    stdout.write(help);
    return;
  }
  const scope = values.scope === undefined ? undefined : scopes[values.scope];
  if (values.scope !== undefined && !scope) throw new SenseError('BAD_INPUT', `--scope must be one of ${Object.keys(scopes).join(', ')}`);
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new SenseError('BAD_INPUT', `${flag} must be a number (got "${value}")`);
    return parsed;
  };
  const sources = values.sources?.split(',').map((source) => source.trim().toUpperCase());
  if (sources?.some((source) => !['STREAM', 'SPRITE', 'SCREENSHOT'].includes(source))) throw new SenseError('BAD_INPUT', '--sources takes stream, sprite and/or screenshot');

  const input = {
    scope,
    sceneIds: values.scene,
    sceneFilter: values.filter,
    autoApplyConfidence: number('--auto-apply', values['auto-apply']),
    suggestConfidence: number('--suggest', values.suggest),
    frameCount: number('--frames', values.frames),
    sources: sources as FrameSourceName[] | undefined,
    limit: number('--limit', values.limit),
    dryRun: values['dry-run'],
    force: values.force,
    addSuggestedTag: values.tag,
  };
  await checkDataDir();
  const service = await findRunningService({ config, env, url: values.url });
  if (service) {
    await tagBackThroughService(service, input, { json: values.json ?? false, stdout, stderr, signal });
    return;
  }
  const app = await openApp(config, logger, { runJobs: true });
  try {
    const unfinished = app.services.jobs.list({ kind: 'tagBack' }).find((job) => job.status === 'queued' || job.status === 'running');
    const job = unfinished ?? app.services.jobs.startTagBack(input);
    stderr.write(unfinished ? `Resuming tag-back job ${job.id}.\n` : `Started tag-back job ${job.id}.\n`);
    signal.addEventListener('abort', () => app.services.jobs.cancel(job.id), { once: true });
    const bar = createProgressBar(stderr, 'tag-back');
    let last: Job = job;
    for await (const update of app.services.jobs.subscribe(job.id)) {
      last = update;
      const eta = update.progress.etaSec != null ? ` eta ${Math.round(update.progress.etaSec)}s` : '';
      bar.update(update.progress.done, update.progress.total ?? 0, `${update.progress.current ? `scene ${update.progress.current}` : ''}${eta}`);
    }
    bar.finish();
    const summary = app.services.jobs.tagBackSummary(last);
    if (summary) stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    if (last.status === 'failed') throw new SenseError(last.error?.code ?? 'INTERNAL', `Job ${last.id} failed: ${last.error?.message ?? 'unknown error'}`);
    if (last.status === 'cancelled') stderr.write(`Job ${last.id} was cancelled; run tag-back again to start a new one.\n`);
  } finally {
    await app.close();
  }
};

/** The same batch, run by the service: resume its unfinished tag-back or start one, then follow it to the end. */
async function tagBackThroughService(
  service: ServiceClient,
  input: Record<string, unknown>,
  out: { json: boolean; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; signal: AbortSignal },
): Promise<void> {
  const { jobs } = await service.request<{ jobs: RemoteJob[] }>(`{ jobs(kind: "tagBack", first: 20) { ${REMOTE_JOB_FIELDS} } }`);
  const unfinished = jobs.find((job) => job.status === 'QUEUED' || job.status === 'RUNNING');
  const job =
    unfinished ??
    (await service.request<{ startTagBack: RemoteJob }>(`mutation ($input: TagBackInput!) { startTagBack(input: $input) { ${REMOTE_JOB_FIELDS} } }`, { input: withoutUndefined(input) })).startTagBack;
  out.stderr.write(`${unfinished ? 'Following' : 'Started'} tag-back job ${job.id} on the running service at ${service.url}.\n`);
  const bar = createProgressBar(out.stderr, 'tag-back');
  const last = await followRemoteJob(service, job.id, {
    signal: out.signal,
    onUpdate: (update) => {
      const eta = update.progress.etaSec != null ? ` eta ${Math.round(update.progress.etaSec)}s` : '';
      bar.update(update.progress.done, update.progress.total ?? 0, `${update.progress.current ? `scene ${update.progress.current}` : ''}${eta}`);
    },
  });
  bar.finish();
  const { job: ended } = await service.request<{ job: { tagBack: TagBackSummary | null } | null }>(
    `query ($id: ID!) { job(id: $id) { tagBack { dryRun scenes applied wouldApply performersAdded recommended noFaces skipped failed items { sceneId outcome added recommendations error } } } }`,
    { id: job.id },
  );
  const summary = ended?.tagBack;
  if (summary) out.stdout.write(out.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  if (last.status === 'FAILED') throw new SenseError(toKnownCode(last.error?.code), `Job ${last.id} failed: ${last.error?.message ?? 'unknown error'}`);
  if (last.status === 'CANCELLED') out.stderr.write(`Job ${last.id} was cancelled; run tag-back again to start a new one.\n`);
}

function withoutUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function toKnownCode(code: string | undefined): ErrorCode {
  return isErrorCode(code) ? code : 'INTERNAL';
}

function formatSummary(summary: TagBackSummary): string {
  const lines = summary.items.map(
    (item) => `scene ${item.sceneId}: ${item.outcome.toLowerCase().replace(/_/g, ' ')}${item.added.length ? ` (+${item.added.join(', ')})` : ''}${item.error ? ` — ${item.error}` : ''}`,
  );
  lines.push(
    `${summary.dryRun ? 'Dry run: ' : ''}${summary.scenes} scene(s): ${summary.applied} tagged (${summary.performersAdded} performer(s) added), ` +
      `${summary.recommended} recommendation(s), ${summary.noFaces} without faces, ${summary.skipped} skipped, ${summary.failed} failed.`,
  );
  return `${lines.join('\n')}\n`;
}
