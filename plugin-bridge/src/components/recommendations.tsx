import {
  acceptRecommendationMutation,
  dismissRecommendationMutation,
  recommendationsQuery,
  type Recommendation,
  type RecommendationPage,
  type RecommendationType,
} from '../operations.js';
import { pluginApi } from '../plugin-api.js';
import { React } from '../react.js';
import { Card, ErrorNotice, formatDate, Loading, percent, type Sidecar } from './common.js';

const PAGE_SIZE = 10;

const typeNames: Record<RecommendationType, string> = {
  SCENE_PERFORMER: 'Performers for scenes',
  DUPLICATE_PERFORMER: 'Duplicate performers',
  SCENE_FILES: 'Scenes with several files',
  DUPLICATE_SCENE: 'Duplicate scenes',
  UPSTREAM_PERFORMER_CHANGES: 'Upstream performer changes',
};
const types = Object.keys(typeNames) as RecommendationType[];

type ListState = { phase: 'loading' } | { phase: 'ready'; page: RecommendationPage } | { phase: 'failed'; error: unknown };
type ItemState = { state: 'busy' } | { state: 'accepted' } | { state: 'dismissed' } | { state: 'failed'; error: unknown };

export function RecommendationsCard({ sidecar }: { sidecar: Sidecar }) {
  const { client } = sidecar;
  const [type, setType] = React.useState<RecommendationType | undefined>();
  // Cursors of the pages before this one: Previous pops, Next pushes.
  const [cursors, setCursors] = React.useState<(string | null)[]>([null]);
  const [list, setList] = React.useState<ListState>({ phase: 'loading' });
  const [items, setItems] = React.useState<Record<string, ItemState>>({});
  const after = cursors[cursors.length - 1] ?? null;

  const load = React.useCallback(() => {
    setList({ phase: 'loading' });
    client.request(recommendationsQuery, { filter: { status: 'PENDING', ...(type ? { type } : {}) }, first: PAGE_SIZE, after }).then(
      ({ recommendations }) => setList({ phase: 'ready', page: recommendations }),
      (error: unknown) => setList({ phase: 'failed', error }),
    );
  }, [client, type, after]);
  React.useEffect(load, [load]);

  const choose = (next: RecommendationType | undefined) => {
    setType(next);
    setCursors([null]);
  };
  const act = async (recommendation: Recommendation, action: 'accept' | 'dismiss') => {
    setItems((current) => ({ ...current, [recommendation.id]: { state: 'busy' } }));
    try {
      if (action === 'accept') await client.request(acceptRecommendationMutation, { id: recommendation.id });
      else await client.request(dismissRecommendationMutation, { id: recommendation.id, permanent: false });
      setItems((current) => ({ ...current, [recommendation.id]: { state: action === 'accept' ? 'accepted' : 'dismissed' } }));
    } catch (error: unknown) {
      setItems((current) => ({ ...current, [recommendation.id]: { state: 'failed', error } }));
    }
  };

  const counts = list.phase === 'ready' ? new Map(list.page.countsByType.map((entry) => [entry.type, entry.count])) : undefined;
  const total = counts ? [...counts.values()].reduce((sum, count) => sum + count, 0) : undefined;
  return (
    <Card
      title="Recommendations"
      className="stash-sense-recommendations"
      actions={
        <button type="button" className="btn btn-sm btn-secondary" onClick={load}>
          Refresh
        </button>
      }
    >
      <ul className="nav nav-pills stash-sense-types">
        <li className="nav-item">
          <button type="button" className={`nav-link btn btn-link ${type === undefined ? 'active' : ''}`} onClick={() => choose(undefined)}>
            All{total !== undefined ? ` (${total})` : ''}
          </button>
        </li>
        {types.map((entry) => (
          <li key={entry} className="nav-item">
            <button type="button" className={`nav-link btn btn-link ${type === entry ? 'active' : ''}`} onClick={() => choose(entry)}>
              {typeNames[entry]}
              {counts ? ` (${counts.get(entry) ?? 0})` : ''}
            </button>
          </li>
        ))}
      </ul>
      {list.phase === 'loading' ? <Loading text="Loading recommendations…" /> : null}
      {list.phase === 'failed' ? <ErrorNotice error={list.error} sidecarUrl={client.url} onRetry={load} /> : null}
      {list.phase === 'ready' ? (
        <>
          {list.page.edges.length === 0 ? <p className="stash-sense-muted">Nothing to review{type ? ` in ${typeNames[type].toLowerCase()}` : ''}.</p> : null}
          <ul className="stash-sense-recommendation-list">
            {list.page.edges.map(({ node }) => (
              <RecommendationRow
                key={node.id}
                recommendation={node}
                state={items[node.id]}
                sidecarUrl={client.url}
                onAccept={() => void act(node, 'accept')}
                onDismiss={() => void act(node, 'dismiss')}
              />
            ))}
          </ul>
          <div className="stash-sense-pager">
            <button type="button" className="btn btn-sm btn-secondary" disabled={cursors.length <= 1} onClick={() => setCursors((current) => current.slice(0, -1))}>
              Previous
            </button>
            <span className="stash-sense-muted">
              Page {cursors.length} · {list.page.totalCount} pending
            </span>
            <button
              type="button"
              className="btn btn-sm btn-secondary"
              disabled={!list.page.pageInfo.hasNextPage || !list.page.pageInfo.endCursor}
              onClick={() => setCursors((current) => [...current, list.page.pageInfo.endCursor])}
            >
              Next
            </button>
          </div>
        </>
      ) : null}
    </Card>
  );
}

function RecommendationRow({
  recommendation,
  state,
  sidecarUrl,
  onAccept,
  onDismiss,
}: {
  recommendation: Recommendation;
  state: ItemState | undefined;
  sidecarUrl: string;
  onAccept: () => void;
  onDismiss: () => void;
}) {
  const { Link } = pluginApi().libraries.ReactRouterDOM;
  const { details } = recommendation;
  const done = state?.state === 'accepted' || state?.state === 'dismissed';
  return (
    <li className={`stash-sense-recommendation ${done ? 'stash-sense-done' : ''}`} data-recommendation-id={recommendation.id}>
      {details.__typename === 'ScenePerformerDetails' ? (
        <div className="stash-sense-recommendation-images">
          {details.thumbnail ? <img className="stash-sense-face stash-sense-face-small" src={details.thumbnail} alt="Face seen in the scene" /> : null}
          {details.candidate.imageUrl ? <img className="stash-sense-face stash-sense-face-small" src={details.candidate.imageUrl} alt={details.candidate.name} /> : null}
        </div>
      ) : null}
      <div className="stash-sense-recommendation-body">
        <div>
          <span className="badge badge-info">{typeNames[recommendation.type]}</span> <strong>{recommendation.summary}</strong>
        </div>
        <div className="stash-sense-muted">
          {percent(recommendation.confidence)} % sure · {formatDate(recommendation.createdAt)}
          {details.__typename === 'ScenePerformerDetails' ? (
            <>
              {' · '}
              {details.candidate.link.stashPerformerName ?? details.candidate.name} in{' '}
              <Link to={`/scenes/${details.sceneId}`}>{details.sceneTitle || `scene ${details.sceneId}`}</Link>
            </>
          ) : null}
          {details.__typename === 'DuplicatePerformerDetails' ? <> · {details.performers.map((performer) => performer.name).join(', ')}</> : null}
          {details.__typename === 'DuplicateSceneDetails' ? <> · {details.reasons.join(', ')}</> : null}
          {details.__typename === 'SceneFilesDetails' ? <> · {details.files.length} files</> : null}
        </div>
        {state?.state === 'failed' ? <ErrorNotice error={state.error} sidecarUrl={sidecarUrl} /> : null}
      </div>
      <div className="stash-sense-candidate-actions">
        {state?.state === 'accepted' ? <span className="badge badge-success">Accepted</span> : null}
        {state?.state === 'dismissed' ? <span className="badge badge-secondary">Dismissed</span> : null}
        {!done ? (
          <>
            <button type="button" className="btn btn-sm btn-primary stash-sense-accept" disabled={state?.state === 'busy'} onClick={onAccept}>
              Accept
            </button>
            <button type="button" className="btn btn-sm btn-secondary stash-sense-dismiss" disabled={state?.state === 'busy'} onClick={onDismiss}>
              Dismiss
            </button>
          </>
        ) : null}
      </div>
    </li>
  );
}
