import { dismissRecommendationMutation } from '../operations.js';
import { React } from '../react.js';
import type { SidecarClient } from '../sidecar.js';
import {
  acceptUpstreamChangesMutation,
  analyzeUpstreamPerformersMutation,
  upstreamJobQuery,
  upstreamRecommendationsQuery,
  type FieldChoiceInput,
  type UpstreamFieldChange,
  type UpstreamJob,
  type UpstreamRecommendation,
} from '../stashbox-operations.js';
import { Card, ErrorNotice, Loading, type Sidecar } from './common.js';

type ListState = { phase: 'loading' } | { phase: 'ready'; items: UpstreamRecommendation[]; total: number } | { phase: 'failed'; error: unknown };
type JobState = { phase: 'idle' } | { phase: 'running'; job: UpstreamJob } | { phase: 'ended'; job: UpstreamJob } | { phase: 'failed'; error: unknown };

const JOB_POLL_MS = 1000;

/** The dashboard's review of upstream performer changes: check the stash-boxes, then settle each performer field by field. */
export function UpstreamChangesCard({ sidecar }: { sidecar: Sidecar }) {
  const { client } = sidecar;
  const [list, setList] = React.useState<ListState>({ phase: 'loading' });
  const [job, setJob] = React.useState<JobState>({ phase: 'idle' });
  const [full, setFull] = React.useState(false);

  const load = React.useCallback(() => {
    setList({ phase: 'loading' });
    client.request(upstreamRecommendationsQuery, { first: 50 }).then(
      ({ recommendations }) => setList({ phase: 'ready', items: recommendations.edges.map((edge) => edge.node), total: recommendations.totalCount }),
      (error: unknown) => setList({ phase: 'failed', error }),
    );
  }, [client]);
  React.useEffect(load, [load]);

  const runningId = job.phase === 'running' ? job.job.id : undefined;
  React.useEffect(() => {
    if (!runningId) return undefined;
    let live = true;
    const timer = window.setInterval(() => {
      client.request(upstreamJobQuery, { id: runningId }).then(
        ({ job: current }) => {
          if (!live || !current) return;
          if (current.status === 'QUEUED' || current.status === 'RUNNING') setJob({ phase: 'running', job: current });
          else {
            setJob({ phase: 'ended', job: current });
            load();
          }
        },
        (error: unknown) => live && setJob({ phase: 'failed', error }),
      );
    }, JOB_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [client, runningId, load]);

  const check = () => {
    client.request(analyzeUpstreamPerformersMutation, { full }).then(
      ({ analyzeUpstreamPerformers }) => setJob({ phase: 'running', job: analyzeUpstreamPerformers }),
      (error: unknown) => setJob({ phase: 'failed', error }),
    );
  };

  return (
    <Card
      title="Upstream performer changes"
      className="stash-sense-upstream"
      actions={
        <div className="stash-sense-upstream-actions">
          <label className="stash-sense-muted">
            <input type="checkbox" checked={full} onChange={(event) => setFull(event.target.checked)} /> all performers
          </label>{' '}
          <button type="button" className="btn btn-sm btn-primary stash-sense-upstream-check" disabled={job.phase === 'running'} onClick={check}>
            Check stash-boxes
          </button>
        </div>
      }
    >
      <JobLine job={job} sidecarUrl={client.url} />
      {list.phase === 'loading' ? <Loading text="Loading upstream changes…" /> : null}
      {list.phase === 'failed' ? <ErrorNotice error={list.error} sidecarUrl={client.url} onRetry={load} /> : null}
      {list.phase === 'ready' ? (
        list.items.length === 0 ? (
          <p className="stash-sense-muted">No performer differs from its stash-box.</p>
        ) : (
          <ul className="stash-sense-upstream-list">
            {list.items.map((item) => (
              <UpstreamReview key={item.id} recommendation={item} client={client} />
            ))}
          </ul>
        )
      ) : null}
    </Card>
  );
}

function JobLine({ job, sidecarUrl }: { job: JobState; sidecarUrl: string }) {
  if (job.phase === 'idle') return null;
  if (job.phase === 'failed') return <ErrorNotice error={job.error} sidecarUrl={sidecarUrl} />;
  const { status, progress, upstreamPerformers, error } = job.job;
  return (
    <div className="stash-sense-upstream-job" data-job-status={status}>
      <div>
        {status === 'QUEUED' || status === 'RUNNING' ? `Checking… ${progress.done}${progress.total !== null ? ` of ${progress.total}` : ''} performers` : `Check ${status.toLowerCase()}`}
        {error ? `: ${error.message}` : ''}
      </div>
      {upstreamPerformers?.endpoints.map((endpoint) => (
        <div key={endpoint.endpoint} className={endpoint.error ? 'text-warning' : 'stash-sense-muted'}>
          {endpoint.name}: {endpoint.error ? `${endpoint.error.code}: ${endpoint.error.message}` : `${endpoint.examined} compared, ${endpoint.skipped} unchanged, ${endpoint.created + endpoint.reopened} to review`}
        </div>
      ))}
    </div>
  );
}

type Choice = { use: 'LOCAL' | 'UPSTREAM' } | { use: 'VALUE'; text: string };
type ReviewState = { state: 'open' } | { state: 'busy' } | { state: 'applied' } | { state: 'dismissed' } | { state: 'failed'; error: unknown };

function UpstreamReview({ recommendation, client }: { recommendation: UpstreamRecommendation; client: SidecarClient }) {
  const { details } = recommendation;
  // The stash-box's value is the default, unless it would empty a field the user filled in.
  const [choices, setChoices] = React.useState<Record<string, Choice>>(() =>
    Object.fromEntries(details.changes.map((change) => [change.field, { use: change.upstream.length > 0 || change.local.length === 0 ? 'UPSTREAM' : 'LOCAL' } as Choice])),
  );
  const [review, setReview] = React.useState<ReviewState>({ state: 'open' });
  const setAll = (use: 'LOCAL' | 'UPSTREAM') => setChoices(Object.fromEntries(details.changes.map((change) => [change.field, { use } as Choice])));
  const apply = async () => {
    setReview({ state: 'busy' });
    const fields: FieldChoiceInput[] = details.changes.map((change) => {
      const choice = choices[change.field] ?? { use: 'LOCAL' };
      return choice.use === 'VALUE' ? { field: change.field, use: 'VALUE', value: splitValue(choice.text, change.list) } : { field: change.field, use: choice.use };
    });
    try {
      await client.request(acceptUpstreamChangesMutation, { id: recommendation.id, fields });
      setReview({ state: 'applied' });
    } catch (error: unknown) {
      setReview({ state: 'failed', error });
    }
  };
  const dismiss = async (permanent: boolean) => {
    setReview({ state: 'busy' });
    try {
      await client.request(dismissRecommendationMutation, { id: recommendation.id, permanent });
      setReview({ state: 'dismissed' });
    } catch (error: unknown) {
      setReview({ state: 'failed', error });
    }
  };
  const done = review.state === 'applied' || review.state === 'dismissed';
  const busy = review.state === 'busy';
  return (
    <li className={`stash-sense-upstream-review ${done ? 'stash-sense-done' : ''}`} data-recommendation-id={recommendation.id}>
      <div className="stash-sense-upstream-head">
        <a href={`/performers/${details.performerId}`}>
          <strong>{details.performerName}</strong>
        </a>{' '}
        on{' '}
        <a href={details.upstreamUrl} target="_blank" rel="noreferrer">
          {details.endpointName}
        </a>
        {details.status !== 'CHANGED' ? (
          <span className="badge badge-warning">{details.status === 'MERGED' ? `merged into ${details.mergedIntoId ?? 'another performer'}` : 'deleted'} upstream</span>
        ) : null}
      </div>
      {details.status === 'CHANGED' && !done ? (
        <table className="table table-sm stash-sense-upstream-table">
          <thead>
            <tr>
              <th>Field</th>
              <th>Local</th>
              <th>Upstream</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {details.changes.map((change) => (
              <FieldRow
                key={change.field}
                change={change}
                choice={choices[change.field] ?? { use: 'LOCAL' }}
                onChange={(choice) => setChoices((current) => ({ ...current, [change.field]: choice }))}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {review.state === 'failed' ? <ErrorNotice error={review.error} sidecarUrl={client.url} /> : null}
      <div className="stash-sense-candidate-actions">
        {review.state === 'applied' ? <span className="badge badge-success">Applied</span> : null}
        {review.state === 'dismissed' ? <span className="badge badge-secondary">Dismissed</span> : null}
        {!done && details.status === 'CHANGED' ? (
          <>
            <button type="button" className="btn btn-sm btn-secondary" disabled={busy} onClick={() => setAll('LOCAL')}>
              Keep all local
            </button>
            <button type="button" className="btn btn-sm btn-secondary" disabled={busy} onClick={() => setAll('UPSTREAM')}>
              Take all upstream
            </button>
            <button type="button" className="btn btn-sm btn-primary stash-sense-upstream-apply" disabled={busy} onClick={() => void apply()}>
              Apply
            </button>
          </>
        ) : null}
        {!done ? (
          <>
            <button type="button" className="btn btn-sm btn-secondary stash-sense-dismiss" disabled={busy} onClick={() => void dismiss(false)}>
              Dismiss
            </button>
            <button type="button" className="btn btn-sm btn-secondary stash-sense-dismiss-forever" disabled={busy} onClick={() => void dismiss(true)}>
              Never for this performer
            </button>
          </>
        ) : null}
      </div>
    </li>
  );
}

function FieldRow({ change, choice, onChange }: { change: UpstreamFieldChange; choice: Choice; onChange: (choice: Choice) => void }) {
  const result = resultOf(change, choice);
  return (
    <tr className="stash-sense-upstream-field" data-field={change.field}>
      <th scope="row">{change.label}</th>
      <td className="stash-sense-upstream-local">{showValue(change.local)}</td>
      <td className="stash-sense-upstream-upstream">{showValue(change.upstream)}</td>
      <td>
        <select
          className="form-control form-control-sm stash-sense-upstream-choice"
          aria-label={`${change.label}: result`}
          value={choice.use}
          onChange={(event) => {
            const use = event.target.value as Choice['use'];
            onChange(use === 'VALUE' ? { use, text: result.join(change.list ? '\n' : '') } : { use });
          }}
        >
          <option value="LOCAL">Keep local</option>
          <option value="UPSTREAM">Take upstream</option>
          <option value="VALUE">Edit…</option>
        </select>
        {choice.use === 'VALUE' ? (
          <textarea
            className="form-control form-control-sm"
            aria-label={`${change.label}: value`}
            rows={change.list ? 3 : 1}
            value={choice.text}
            onChange={(event) => onChange({ use: 'VALUE', text: event.target.value })}
          />
        ) : null}
        <div className="stash-sense-upstream-result">{showValue(result)}</div>
      </td>
    </tr>
  );
}

function resultOf(change: UpstreamFieldChange, choice: Choice): string[] {
  if (choice.use === 'VALUE') return splitValue(choice.text, change.list);
  return choice.use === 'LOCAL' ? change.local : change.upstream;
}

function showValue(value: string[]): string {
  return value.length === 0 ? '—' : value.join(', ');
}

/** A list field takes one entry per line; any other field is one value. */
function splitValue(text: string, list: boolean): string[] {
  const parts = list ? text.split('\n') : [text];
  return parts.map((part) => part.trim()).filter(Boolean);
}
