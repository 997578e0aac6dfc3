import { downloadModelsMutation, healthQuery, jobQuery, type Health, type Job } from '../operations.js';
import type { SidecarClient } from '../sidecar.js';
import { React } from '../react.js';
import { SidecarError } from '../errors.js';
import { Card, ErrorBoundary, ErrorNotice, Loading, useSidecar, type Sidecar } from './common.js';
import { FaceDatabaseCard } from './face-database.js';
import { RecommendationsCard } from './recommendations.js';
import { TagBackCard } from './tag-back.js';
import { UpstreamChangesCard } from './upstream-changes.js';

export const DASHBOARD_PATH = '/plugins/stash-sense';

/** The page at /plugins/stash-sense: the sidecar's health, batch tag-back with live progress, recommendations. */
export function Dashboard() {
  const sidecar = useSidecar();
  return (
    <div className="stash-sense-dashboard container-fluid">
      <h2 className="stash-sense-dashboard-title">Stash Sense</h2>
      {sidecar ? <DashboardCards sidecar={sidecar} /> : <Loading text="Reading the plugin settings from Stash…" />}
    </div>
  );
}

type HealthState = { phase: 'loading' } | { phase: 'ready'; health: Health } | { phase: 'failed'; error: unknown };

function DashboardCards({ sidecar }: { sidecar: Sidecar }) {
  const { client } = sidecar;
  const [health, setHealth] = React.useState<HealthState>({ phase: 'loading' });
  const loadHealth = React.useCallback(() => {
    setHealth({ phase: 'loading' });
    client.request(healthQuery, {}).then(
      (data) => setHealth({ phase: 'ready', health: data.health }),
      (error: unknown) => setHealth({ phase: 'failed', error }),
    );
  }, [client]);
  React.useEffect(loadHealth, [loadHealth]);
  // When the sidecar does not answer at all, one message says so instead of one per card.
  const unreachable = health.phase === 'failed' && health.error instanceof SidecarError && health.error.kind !== 'graphql';
  return (
    <div className="stash-sense-dashboard-grid">
      <ErrorBoundary>
        <Card
          title="Sidecar"
          className="stash-sense-health"
          actions={
            <button type="button" className="btn btn-sm btn-secondary" onClick={loadHealth}>
              Refresh
            </button>
          }
        >
          {health.phase === 'loading' ? <Loading text={`Asking ${client.url}…`} /> : null}
          {health.phase === 'failed' ? <ErrorNotice error={health.error} sidecarUrl={client.url} onRetry={loadHealth} /> : null}
          {health.phase === 'ready' ? <HealthDetails health={health.health} url={client.url} /> : null}
          {health.phase === 'ready' && health.health.missingModels.length > 0 ? (
            <ModelDownload client={client} missing={health.health.missingModels} onInstalled={loadHealth} />
          ) : null}
        </Card>
      </ErrorBoundary>
      {unreachable ? null : (
        <>
          <ErrorBoundary>
            <TagBackCard sidecar={sidecar} />
          </ErrorBoundary>
          <ErrorBoundary>
            <RecommendationsCard sidecar={sidecar} />
          </ErrorBoundary>
          <ErrorBoundary>
            <UpstreamChangesCard sidecar={sidecar} />
          </ErrorBoundary>
          <ErrorBoundary>
            <FaceDatabaseCard sidecar={sidecar} />
          </ErrorBoundary>
        </>
      )}
    </div>
  );
}

function HealthDetails({ health, url }: { health: Health; url: string }) {
  const { stash } = health;
  const stashText = !stash.configured
    ? 'not configured (set STASH_URL on the sidecar)'
    : stash.reachable
      ? `connected to ${stash.url ?? 'Stash'}${stash.version ? ` (${stash.version})` : ''}`
      : `cannot reach ${stash.url ?? 'Stash'}${stash.error ? `: ${stash.error}` : ''}`;
  return (
    <dl className="stash-sense-facts">
      <dt>Status</dt>
      <dd>
        <span className={`badge ${health.status === 'ok' ? 'badge-success' : 'badge-warning'}`}>{health.status}</span> version {health.version} at {url}
      </dd>
      <dt>Face database</dt>
      <dd>
        {health.databaseLoaded
          ? `${health.performerCount.toLocaleString()} performers, ${health.faceCount.toLocaleString()} faces (${health.modelProfile} models)`
          : 'not loaded: add performers with `stash-sense enroll` or import a database'}
      </dd>
      <dt>Runs on</dt>
      <dd title={health.executionProviderReason}>
        {health.executionProvider.toUpperCase()} <span className="stash-sense-muted">({health.executionProviderReason})</span>
      </dd>
      <dt>Stash</dt>
      <dd className={stash.configured && stash.reachable ? '' : 'text-warning'}>{stashText}</dd>
    </dl>
  );
}

const DOWNLOAD_POLL_MS = 2000;

/** The stash-sense profile's models are not installed: name them and fetch them with a downloadModels job. */
function ModelDownload({ client, missing, onInstalled }: { client: SidecarClient; missing: string[]; onInstalled: () => void }) {
  const [job, setJob] = React.useState<Job | undefined>(undefined);
  const [error, setError] = React.useState<unknown>(undefined);
  const active = job !== undefined && (job.status === 'QUEUED' || job.status === 'RUNNING');
  React.useEffect(() => {
    if (!job || !active) return undefined;
    const timer = window.setTimeout(() => {
      client.request(jobQuery, { id: job.id }).then(
        ({ job: next }) => {
          if (!next) return;
          setJob(next);
          if (next.status === 'COMPLETED') onInstalled();
        },
        (failure: unknown) => setError(failure),
      );
    }, DOWNLOAD_POLL_MS);
    return () => window.clearTimeout(timer);
  }, [client, job, active, onInstalled]);
  const start = () => {
    setError(undefined);
    client.request(downloadModelsMutation, {}).then(
      ({ downloadModels }) => setJob(downloadModels),
      (failure: unknown) => setError(failure),
    );
  };
  return (
    <div className="stash-sense-models-missing">
      <div className="stash-sense-warning">
        Model files missing: {missing.join(', ')}. Identification waits until they are downloaded.
      </div>
      <button type="button" className="btn btn-sm btn-primary stash-sense-download-models" disabled={active} onClick={start}>
        {active ? 'Downloading…' : 'Download models'}
      </button>
      {job ? (
        <span className="stash-sense-muted ml-2" data-job-status={job.status}>
          {job.status.toLowerCase()}: {job.progress.done}
          {job.progress.total !== null ? ` of ${job.progress.total}` : ''} MB{job.error ? ` — ${job.error.message}` : ''}
        </span>
      ) : null}
      {error ? <ErrorNotice error={error} sidecarUrl={client.url} onRetry={start} /> : null}
    </div>
  );
}
