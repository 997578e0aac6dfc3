import {
  cancelJobMutation,
  jobProgressSubscription,
  jobQuery,
  jobsQuery,
  startTagBackMutation,
  tagBackItemsQuery,
  type Job,
  type JobStatus,
  type TagBackInput,
  type TagBackItem,
  type TagBackOutcome,
  type TagBackScope,
} from '../operations.js';
import { pluginApi } from '../plugin-api.js';
import { React } from '../react.js';
import type { SidecarClient } from '../sidecar.js';
import { Card, ErrorNotice, formatDate, type Sidecar } from './common.js';

const scopeNames: Record<Exclude<TagBackScope, 'SCENE_FILTER'>, string> = {
  SCENES_WITHOUT_PERFORMERS: 'Scenes without performers',
  ALL_SCENES: 'All scenes',
  SCENE_IDS: 'These scene IDs',
};
const activeStatuses: ReadonlySet<JobStatus> = new Set(['QUEUED', 'RUNNING']);
const POLL_MS = 2000;

export function TagBackCard({ sidecar }: { sidecar: Sidecar }) {
  const { client } = sidecar;
  const [scope, setScope] = React.useState<keyof typeof scopeNames>('SCENES_WITHOUT_PERFORMERS');
  const [sceneIds, setSceneIds] = React.useState('');
  const [limit, setLimit] = React.useState('');
  // A first run over a whole library is better seen before it changes anything.
  const [dryRun, setDryRun] = React.useState(true);
  const [starting, setStarting] = React.useState(false);
  const [startError, setStartError] = React.useState<unknown>();
  const [job, setJob] = React.useState<Job>();
  const [recent, setRecent] = React.useState<Job[]>();
  const [recentError, setRecentError] = React.useState<unknown>();

  const loadRecent = React.useCallback(
    (adoptActive: boolean) =>
      client.request(jobsQuery, { first: 5 }).then(
        ({ jobs }) => {
          setRecent(jobs);
          setRecentError(undefined);
          const active = jobs.find((entry) => entry.kind === 'tagBack' && activeStatuses.has(entry.status));
          if (adoptActive && active) setJob((current) => current ?? active);
        },
        (error: unknown) => setRecentError(error),
      ),
    [client],
  );
  React.useEffect(() => {
    void loadRecent(true);
  }, [loadRecent]);

  const watched = useJobProgress(client, job?.id, setJob, () => void loadRecent(false));

  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    const input: TagBackInput = { scope, dryRun };
    if (scope === 'SCENE_IDS') input.sceneIds = sceneIds.split(/[\s,]+/).filter(Boolean);
    const max = Number(limit);
    if (limit.trim() !== '' && Number.isInteger(max) && max > 0) input.limit = max;
    try {
      const { startTagBack } = await client.request(startTagBackMutation, { input });
      setJob(startTagBack);
    } catch (error: unknown) {
      setStartError(error);
    } finally {
      setStarting(false);
    }
  };
  const cancel = async (id: string) => {
    try {
      setJob((await client.request(cancelJobMutation, { id })).cancelJob);
    } catch (error: unknown) {
      setStartError(error);
    }
  };
  const running = job !== undefined && activeStatuses.has(job.status);

  return (
    <Card title="Tag back in batches" className="stash-sense-tagback">
      <form
        className="stash-sense-form"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <label>
          Scenes{' '}
          <select className="form-control form-control-sm" value={scope} onChange={(event) => setScope(event.currentTarget.value as keyof typeof scopeNames)}>
            {(Object.keys(scopeNames) as (keyof typeof scopeNames)[]).map((entry) => (
              <option key={entry} value={entry}>
                {scopeNames[entry]}
              </option>
            ))}
          </select>
        </label>
        {scope === 'SCENE_IDS' ? (
          <label>
            IDs{' '}
            <input className="form-control form-control-sm" value={sceneIds} placeholder="12, 15, 31" onChange={(event) => setSceneIds(event.currentTarget.value)} />
          </label>
        ) : null}
        <label>
          At most{' '}
          <input className="form-control form-control-sm stash-sense-narrow" inputMode="numeric" value={limit} placeholder="all" onChange={(event) => setLimit(event.currentTarget.value)} /> scenes
        </label>
        <label className="stash-sense-check">
          <input type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.currentTarget.checked)} /> Dry run (change nothing in Stash)
        </label>
        <button type="submit" className="btn btn-primary stash-sense-start" disabled={starting || running}>
          Start
        </button>
      </form>
      {startError !== undefined ? <ErrorNotice error={startError} sidecarUrl={client.url} /> : null}
      {job ? <JobProgressView job={job} live={watched} client={client} onCancel={() => void cancel(job.id)} /> : null}
      {recentError !== undefined ? <ErrorNotice error={recentError} sidecarUrl={client.url} onRetry={() => void loadRecent(true)} /> : null}
      {recent && recent.length > 0 ? (
        <details className="stash-sense-recent">
          <summary>Recent jobs</summary>
          <ul>
            {recent.map((entry) => (
              <li key={entry.id}>
                <button type="button" className="btn btn-link btn-sm p-0" onClick={() => setJob(entry)}>
                  {entry.kind} {entry.id}
                </button>{' '}
                {entry.status.toLowerCase()} · {entry.progress.done}
                {entry.progress.total !== null ? ` / ${entry.progress.total}` : ''} · {formatDate(entry.createdAt)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}

/**
 * Follows a job over the jobProgress subscription (SSE). If the stream cannot be opened or breaks off, it
 * polls job(id) instead until the job ends. Returns how the job is followed, for the label.
 */
function useJobProgress(client: SidecarClient, jobId: string | undefined, setJob: (job: Job) => void, onEnd: () => void): 'live' | 'polling' | 'idle' {
  const [mode, setMode] = React.useState<'live' | 'polling' | 'idle'>('idle');
  const onEndRef = React.useRef(onEnd);
  onEndRef.current = onEnd;
  React.useEffect(() => {
    if (!jobId) return undefined;
    let stopped = false;
    let timer: number | undefined;
    const poll = () => {
      setMode('polling');
      client.request(jobQuery, { id: jobId }).then(
        ({ job }) => {
          if (stopped || !job) return;
          setJob(job);
          if (activeStatuses.has(job.status)) timer = window.setTimeout(poll, POLL_MS);
          else finish();
        },
        () => {
          if (!stopped) timer = window.setTimeout(poll, POLL_MS * 2);
        },
      );
    };
    const finish = () => {
      setMode('idle');
      onEndRef.current();
    };
    setMode('live');
    const unsubscribe = client.subscribe(jobProgressSubscription, { id: jobId }, {
      next: ({ jobProgress }) => {
        if (!stopped) setJob(jobProgress);
      },
      complete: () => {
        if (!stopped) finish();
      },
      error: () => {
        if (!stopped) poll();
      },
    });
    return () => {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [client, jobId, setJob]);
  return mode;
}

function JobProgressView({ job, live, client, onCancel }: { job: Job; live: 'live' | 'polling' | 'idle'; client: SidecarClient; onCancel: () => void }) {
  const { done, total, current, ratePerMin, etaSec } = job.progress;
  const active = activeStatuses.has(job.status);
  const share = total ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className="stash-sense-job" data-job-id={job.id} data-job-status={job.status} data-job-done={done}>
      <div className="stash-sense-job-head">
        <strong>
          {job.kind === 'tagBack' ? 'Tag-back' : job.kind} job {job.id}
        </strong>{' '}
        <span className={`badge ${badgeFor(job.status)}`}>{job.status.toLowerCase()}</span>
        {live === 'polling' && active ? <span className="stash-sense-muted"> (checking every few seconds)</span> : null}
        {active ? (
          <button type="button" className="btn btn-sm btn-outline-danger ml-2 stash-sense-cancel" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <div className="progress stash-sense-progress">
        <div
          className={`progress-bar ${active ? 'progress-bar-striped progress-bar-animated' : ''}`}
          role="progressbar"
          aria-label="Scenes done"
          aria-valuenow={done}
          aria-valuemin={0}
          aria-valuemax={total ?? undefined}
          style={{ width: `${share}%` }}
        />
      </div>
      <div className="stash-sense-muted stash-sense-job-facts">
        {total === null && active ? 'Finding the scenes… ' : ''}
        {done} scene{done === 1 ? '' : 's'} done{total !== null ? ` of ${total}` : ''}
        {current && active ? ` · now scene ${current}` : ''}
        {ratePerMin ? ` · ${ratePerMin.toFixed(1)} per minute` : ''}
        {etaSec && active ? ` · about ${formatDuration(etaSec)} left` : ''}
      </div>
      {job.error ? <div className="stash-sense-warning">{job.error.message}</div> : null}
      {job.kind === 'tagBack' && !active && job.tagBack ? <TagBackReport job={job} client={client} /> : null}
    </div>
  );
}

const outcomeNames: Record<TagBackOutcome, [string, string]> = {
  APPLIED: ['tagged', 'Performers added'],
  WOULD_APPLY: ['would be tagged', 'Performers would be added'],
  RECOMMENDED: ['with recommendations to review', 'Recommendations recorded'],
  ALREADY_TAGGED: ['already tagged', 'Every confident performer was already on it'],
  NO_MATCH: ['with faces but nobody close enough', 'Nobody close enough'],
  NO_FACES: ['without faces', 'No faces'],
  SKIPPED: ['skipped (identified before)', 'Identified with this face database before'],
  FAILED: ['failed', 'Failed'],
};

/** What the finished job did, by outcome, read once the job has ended (a dry run reports WOULD_APPLY). */
function TagBackReport({ job, client }: { job: Job; client: SidecarClient }) {
  const { Link } = pluginApi().libraries.ReactRouterDOM;
  const [items, setItems] = React.useState<TagBackItem[]>();
  const [error, setError] = React.useState<unknown>();
  React.useEffect(() => {
    let live = true;
    client.request(tagBackItemsQuery, { id: job.id }).then(
      (data) => live && setItems(data.job?.tagBack?.items ?? []),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [client, job.id]);
  const summary = job.tagBack;
  if (!summary) return null;
  if (error !== undefined) return <ErrorNotice error={error} sidecarUrl={client.url} />;
  const counts = new Map<TagBackOutcome, number>();
  for (const item of items ?? []) counts.set(item.outcome, (counts.get(item.outcome) ?? 0) + 1);
  const interesting = (items ?? []).filter((item) => item.outcome !== 'SKIPPED' && item.outcome !== 'NO_FACES').slice(0, 20);
  return (
    <div className="stash-sense-job-summary">
      {summary.dryRun ? 'Dry run, nothing was changed in Stash. ' : ''}
      {summary.scenes} scene{summary.scenes === 1 ? '' : 's'}
      {items
        ? [...counts.entries()].map(([outcome, count]) => (
            <span key={outcome}>
              {', '}
              {count} {outcomeNames[outcome][0]}
            </span>
          ))
        : null}
      .
      {interesting.length > 0 ? (
        <ul className="stash-sense-outcomes">
          {interesting.map((item) => (
            <li key={item.sceneId}>
              <Link to={`/scenes/${item.sceneId}`}>Scene {item.sceneId}</Link>: {outcomeNames[item.outcome][1].toLowerCase()}
              {item.added.length > 0 ? ` (performer ${item.added.join(', ')})` : ''}
              {item.error ? `: ${item.error}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function badgeFor(status: JobStatus): string {
  if (status === 'COMPLETED') return 'badge-success';
  if (status === 'FAILED') return 'badge-danger';
  if (status === 'CANCELLED') return 'badge-secondary';
  return 'badge-info';
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
