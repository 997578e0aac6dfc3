import type { LinkedCandidate } from '../operations.js';
import { React } from '../react.js';
import type { SidecarClient } from '../sidecar.js';
import {
  createPerformerFromStashBoxMutation,
  linkPerformerToStashBoxMutation,
  searchStashPerformersQuery,
  type StashBoxPerformerResult,
} from '../stashbox-operations.js';
import { ErrorNotice } from './common.js';
import type { Target } from './candidates.js';

type ActionState =
  | { state: 'idle' }
  | { state: 'busy' }
  | { state: 'searching'; query: string; results: { id: string; name: string; sceneCount: number | null }[] | undefined }
  | { state: 'done'; result: StashBoxPerformerResult }
  | { state: 'failed'; error: unknown };

/**
 * For a match that is not in the user's library but has a stash-box id: create the performer in Stash from the
 * stash-box (and add it to the scene), or link the match to a performer the user already has.
 */
export function StashBoxActions({ candidate, target, client }: { candidate: LinkedCandidate; target: Target; client: SidecarClient }) {
  const stashId = candidate.stashIds[0];
  const [action, setAction] = React.useState<ActionState>({ state: 'idle' });
  const sceneId = target.kind === 'scene' ? target.id : null;
  const searching = action.state === 'searching' ? action.query : undefined;

  // Debounced: one search per pause in typing, and only the latest answer is shown.
  React.useEffect(() => {
    if (searching === undefined || searching.trim() === '') return undefined;
    let live = true;
    const timer = window.setTimeout(() => {
      client.request(searchStashPerformersQuery, { query: searching, first: 10 }).then(
        ({ searchStashPerformers }) => {
          if (live) setAction((current) => (current.state === 'searching' && current.query === searching ? { ...current, results: searchStashPerformers } : current));
        },
        (error: unknown) => live && setAction({ state: 'failed', error }),
      );
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [client, searching]);

  if (!stashId) return null;
  const run = async (request: () => Promise<StashBoxPerformerResult>) => {
    setAction({ state: 'busy' });
    try {
      setAction({ state: 'done', result: await request() });
    } catch (error: unknown) {
      setAction({ state: 'failed', error });
    }
  };
  const create = () =>
    void run(async () => (await client.request(createPerformerFromStashBoxMutation, { endpoint: stashId.endpoint, stashId: stashId.stashId, sceneId })).createPerformerFromStashBox);
  const link = (performerId: string) =>
    void run(
      async () => (await client.request(linkPerformerToStashBoxMutation, { performerId, endpoint: stashId.endpoint, stashId: stashId.stashId, sceneId })).linkPerformerToStashBox,
    );

  if (action.state === 'done') {
    const { result } = action;
    const verb = result.outcome === 'CREATED' ? 'Created' : 'Linked';
    return (
      <span className="badge badge-success stash-sense-stashbox-done">
        {verb} {result.performer.name}
        {sceneId ? (result.addedToScene ? ' and added to the scene' : ', already on the scene') : ''}
      </span>
    );
  }
  const busy = action.state === 'busy';
  return (
    <div className="stash-sense-stashbox-actions">
      <button type="button" className="btn btn-sm btn-primary stash-sense-create" disabled={busy} onClick={create}>
        {sceneId ? 'Add to Stash and scene' : 'Add to Stash'}
      </button>
      <button type="button" className="btn btn-sm btn-secondary stash-sense-link-to" disabled={busy} onClick={() => setAction({ state: 'searching', query: candidate.name, results: undefined })}>
        Link to…
      </button>
      {action.state === 'searching' ? (
        <div className="stash-sense-link-search">
          <input
            type="search"
            className="form-control form-control-sm"
            aria-label="Search your performers"
            placeholder="Search your performers"
            value={action.query}
            onChange={(event) => setAction({ state: 'searching', query: event.target.value, results: undefined })}
          />
          {action.results === undefined ? null : action.results.length === 0 ? (
            <div className="stash-sense-muted">No performer matches.</div>
          ) : (
            <ul className="stash-sense-link-results">
              {action.results.map((performer) => (
                <li key={performer.id}>
                  <button type="button" className="btn btn-sm btn-link stash-sense-link-choice" onClick={() => link(performer.id)}>
                    {performer.name}
                  </button>
                  {performer.sceneCount !== null ? <span className="stash-sense-muted"> · {performer.sceneCount} scenes</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      {action.state === 'failed' ? <ErrorNotice error={action.error} sidecarUrl={client.url} /> : null}
    </div>
  );
}
