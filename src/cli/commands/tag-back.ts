import { parseArgs } from 'node:util';
import { openApp } from '../../app.js';
import { SenseError } from '../../errors.js';
import type { FrameSourceName } from '../../identify/index.js';
import type { Job } from '../../jobs/index.js';
import type { TagBackScope, TagBackSummary } from '../../tagback/index.js';
import type { Command } from '../command.js';
import { createProgressBar } from '../progress.js';

const help = `Usage: stash-sense tag-back [options] [--data-dir DIR]

Identifies many scenes and writes the performers it is sure of back to Stash (ADD only); plausible
matches become recommendations to review. Resumes an interrupted batch instead of starting another.
  --scope S           without-performers (default), all, ids, filter
  --scene ID          a scene to process (repeat; implies --scope ids)
  --filter JSON       a Stash SceneFilterType (with --scope filter)
  --auto-apply C      add performers at or above this confidence (default 0.75)
  --suggest C         recommend at or above this confidence (default 0.5)
  --frames N          frames per scene (default SCENE_FRAMES)
  --sources LIST      stream,sprite,screenshot (default all)
  --limit N           stop after N scenes
  --dry-run           change nothing in Stash, record nothing
  --force             identify scenes again even if done with this face database
  --tag               also add the suggested tag (SUGGESTED_TAG)
  --json              print the summary as JSON
Needs STASH_URL (and STASH_API_KEY). Run it while the service is stopped, or use startTagBack over GraphQL.
`;

const scopes: Record<string, TagBackScope> = { 'without-performers': 'SCENES_WITHOUT_PERFORMERS', all: 'ALL_SCENES', ids: 'SCENE_IDS', filter: 'SCENE_FILTER' };

export const tagBack: Command = async ({ args, config, logger, stdout, stderr, signal, checkDataDir }) => {
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

  await checkDataDir();
  const app = await openApp(config, logger, { runJobs: true });
  try {
    const unfinished = app.services.jobs.list({ kind: 'tagBack' }).find((job) => job.status === 'queued' || job.status === 'running');
    const job = unfinished ?? app.services.jobs.startTagBack({
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
    });
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
