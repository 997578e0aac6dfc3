import {
  applyGalleryPerformersMutation,
  applyImagePerformersMutation,
  applyScenePerformersMutation,
  dismissSceneCandidateMutation,
  type LinkedCandidate,
} from '../operations.js';
import { pluginApi } from '../plugin-api.js';
import { React } from '../react.js';
import type { SidecarClient } from '../sidecar.js';
import { ErrorNotice, percent, type Sidecar } from './common.js';
import { StashBoxActions } from './stash-box-actions.js';

export type TargetKind = 'scene' | 'image' | 'gallery';

export interface Target {
  kind: TargetKind;
  id: string;
}

export type CandidateState = { state: 'idle' } | { state: 'busy' } | { state: 'added' } | { state: 'dismissed' } | { state: 'failed'; error: unknown };

export interface CandidateActions {
  stateOf(candidate: LinkedCandidate): CandidateState;
  accept(candidate: LinkedCandidate, extra?: { imageIds?: string[] }): Promise<void>;
  dismiss(candidate: LinkedCandidate): Promise<void>;
}

/**
 * Accept adds the candidate's Stash performer to the scene, image or gallery (ADD only, through the sidecar).
 * Dismiss on a scene is recorded on the sidecar (a dismissed suggestion, so batches do not suggest it again);
 * images and galleries have no stored result to dismiss against, so there it is remembered in this browser.
 */
export function useCandidateActions(client: SidecarClient, target: Target): CandidateActions {
  const storageKey = `stash-sense:dismissed:${target.kind}:${target.id}`;
  const [states, setStates] = React.useState<Record<string, CandidateState>>(() => {
    const initial: Record<string, CandidateState> = {};
    for (const id of readDismissed(storageKey)) initial[id] = { state: 'dismissed' };
    return initial;
  });
  const set = (candidate: LinkedCandidate, state: CandidateState) => setStates((current) => ({ ...current, [candidate.performerId]: state }));

  return {
    stateOf: (candidate) => states[candidate.performerId] ?? { state: 'idle' },
    async accept(candidate, extra) {
      const performerId = candidate.link.stashPerformerId;
      if (!performerId) return;
      set(candidate, { state: 'busy' });
      try {
        await applyPerformer(client, target, performerId);
        for (const imageId of extra?.imageIds ?? []) await applyPerformer(client, { kind: 'image', id: imageId }, performerId);
        set(candidate, { state: 'added' });
      } catch (error: unknown) {
        set(candidate, { state: 'failed', error });
      }
    },
    async dismiss(candidate) {
      set(candidate, { state: 'busy' });
      try {
        if (target.kind === 'scene') {
          await client.request(dismissSceneCandidateMutation, { sceneId: target.id, performerId: candidate.performerId, permanent: false });
        }
      } catch (error: unknown) {
        set(candidate, { state: 'failed', error });
        return;
      }
      writeDismissed(storageKey, [...readDismissed(storageKey), candidate.performerId]);
      set(candidate, { state: 'dismissed' });
    },
  };
}

async function applyPerformer(client: SidecarClient, target: Target, performerId: string): Promise<void> {
  const performerIds = [performerId];
  if (target.kind === 'scene') await client.request(applyScenePerformersMutation, { sceneId: target.id, performerIds });
  else if (target.kind === 'image') await client.request(applyImagePerformersMutation, { imageId: target.id, performerIds });
  else await client.request(applyGalleryPerformersMutation, { galleryId: target.id, performerIds });
}

function readDismissed(key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string') : [];
  } catch {
    return [];
  }
}

function writeDismissed(key: string, ids: string[]): void {
  try {
    window.localStorage.setItem(key, JSON.stringify([...new Set(ids)]));
  } catch {
    // Storage may be full or disabled; the dismissal then lasts until the page reloads.
  }
}

const ruleText: Record<string, string> = { STASH_ID: 'stash-box ID', NAME: 'name', ALIAS: 'alias' };
const targetText: Record<TargetKind, string> = { scene: 'scene', image: 'image', gallery: 'gallery' };

export function CandidateList({
  candidates,
  sidecar,
  target,
  actions,
  acceptExtra,
}: {
  candidates: LinkedCandidate[];
  sidecar: Sidecar;
  target: Target;
  actions: CandidateActions;
  acceptExtra?: (candidate: LinkedCandidate) => { imageIds?: string[] } | undefined;
}) {
  const { minConfidence, maxResults } = sidecar.settings;
  const shown = candidates.filter((candidate) => candidate.confidence >= minConfidence).slice(0, maxResults);
  const hidden = candidates.length - shown.length;
  if (candidates.length === 0) return <div className="stash-sense-muted">No one in the face database is close enough.</div>;
  return (
    <ul className="stash-sense-candidates">
      {shown.map((candidate) => (
        <CandidateRow
          key={candidate.performerId}
          candidate={candidate}
          target={target}
          state={actions.stateOf(candidate)}
          client={sidecar.client}
          onAccept={() => void actions.accept(candidate, acceptExtra?.(candidate))}
          onDismiss={() => void actions.dismiss(candidate)}
        />
      ))}
      {hidden > 0 ? (
        <li className="stash-sense-muted">
          {hidden} more below {percent(minConfidence)} % or past the first {maxResults} (plugin settings)
        </li>
      ) : null}
    </ul>
  );
}

function CandidateRow({
  candidate,
  target,
  state,
  client,
  onAccept,
  onDismiss,
}: {
  candidate: LinkedCandidate;
  target: Target;
  state: CandidateState;
  client: SidecarClient;
  onAccept: () => void;
  onDismiss: () => void;
}) {
  const { Link } = pluginApi().libraries.ReactRouterDOM;
  const value = percent(candidate.confidence);
  const level = value >= 70 ? 'high' : value >= 50 ? 'medium' : 'low';
  const performerId = candidate.link.stashPerformerId;
  const inLibrary = candidate.link.rule !== 'NOT_IN_LIBRARY' && performerId !== null;
  const busy = state.state === 'busy';
  return (
    <li className={`stash-sense-candidate stash-sense-candidate-${state.state}`} data-performer-id={candidate.performerId}>
      {candidate.imageUrl ? (
        <img className="stash-sense-candidate-image" src={candidate.imageUrl} alt={candidate.name} loading="lazy" />
      ) : (
        <div className="stash-sense-candidate-image stash-sense-placeholder" aria-hidden="true">
          {candidate.name.slice(0, 1).toUpperCase()}
        </div>
      )}
      <div className="stash-sense-candidate-body">
        <div className="stash-sense-candidate-name">
          {candidate.name}
          <span className={`stash-sense-confidence stash-sense-confidence-${level}`} title={`cosine distance ${candidate.distance.toFixed(3)}`}>
            {value} %
          </span>
        </div>
        <div className="stash-sense-candidate-meta">
          {candidate.alreadyTagged ? (
            <span className="stash-sense-library stash-sense-tagged">Already on this {targetText[target.kind]}</span>
          ) : inLibrary ? (
            <span className="stash-sense-library">
              In your library as{' '}
              <Link to={`/performers/${performerId}`} className="stash-sense-link">
                {candidate.link.stashPerformerName ?? performerId}
              </Link>{' '}
              (by {ruleText[candidate.link.rule] ?? candidate.link.rule})
            </span>
          ) : (
            <span className="stash-sense-library stash-sense-not-in-library">Not in your library</span>
          )}
          {candidate.country ? <span> · {candidate.country}</span> : null}
          {candidate.frameCount > 1 ? <span> · in {candidate.frameCount} frames</span> : null}
          {candidate.bodyMultiplier !== null && candidate.bodyMultiplier < 1 ? (
            <span className="stash-sense-body"> · body proportions differ (−{Math.round((1 - candidate.bodyMultiplier) * 100)} %)</span>
          ) : null}
          {candidate.stashIds.map((id) => (
            <span key={`${id.endpoint}:${id.stashId}`}>
              {' · '}
              <a className="stash-sense-link" href={stashBoxLink(id.endpoint, id.stashId)} target="_blank" rel="noreferrer">
                {stashBoxName(id.endpoint)}
              </a>
            </span>
          ))}
        </div>
        {state.state === 'failed' ? <ErrorNotice error={state.error} sidecarUrl={client.url} /> : null}
      </div>
      <div className="stash-sense-candidate-actions">
        {candidate.alreadyTagged ? (
          <span className="badge badge-success">Tagged</span>
        ) : state.state === 'added' ? (
          <span className="badge badge-success stash-sense-added">Added to {targetText[target.kind]}</span>
        ) : state.state === 'dismissed' ? (
          <span className="badge badge-secondary">Dismissed</span>
        ) : (
          <>
            {inLibrary ? (
              <button type="button" className="btn btn-sm btn-primary stash-sense-accept" disabled={busy} onClick={onAccept}>
                Accept
              </button>
            ) : candidate.stashIds.length > 0 ? (
              <StashBoxActions candidate={candidate} target={target} client={client} />
            ) : null}
            <button type="button" className="btn btn-sm btn-secondary stash-sense-dismiss" disabled={busy} onClick={onDismiss}>
              Dismiss
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** stash-box endpoints are GraphQL URLs (https://stashdb.org/graphql); performers live at /performers/<id>. */
function stashBoxLink(endpoint: string, stashId: string): string {
  try {
    return `${new URL(endpoint).origin}/performers/${encodeURIComponent(stashId)}`;
  } catch {
    return '#';
  }
}

function stashBoxName(endpoint: string): string {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return 'stash-box';
  }
}
