// The dashboard's face-database view: find a performer, see each face and where it came from, and fix what
// enrolment got wrong (a stranger's face, a wrong name, one person twice) without leaving Stash.
import {
  deleteFaceMutation,
  deleteFacePerformerMutation,
  editFacePerformerMutation,
  facePerformerQuery,
  facePerformersQuery,
  mergeFacePerformersMutation,
  type EnrolledFace,
  type FaceOrigin,
  type FacePerformerSummary,
} from '../face-operations.js';
import { React } from '../react.js';
import type { SidecarClient } from '../sidecar.js';
import { Card, ErrorNotice, formatDate, Loading, type Sidecar } from './common.js';

const PAGE_SIZE = 20;
const THUMB_PX = 48;

const originNames: Record<FaceOrigin, string> = { FILE: 'Photo file', STASH: 'Stash performer image', IMPORT: 'Imported database', UNKNOWN: 'Unknown origin' };

type ListState = { phase: 'loading' } | { phase: 'ready'; total: number; performers: FacePerformerSummary[] } | { phase: 'failed'; error: unknown };

export function FaceDatabaseCard({ sidecar }: { sidecar: Sidecar }) {
  const { client } = sidecar;
  const [text, setText] = React.useState('');
  const [search, setSearch] = React.useState('');
  const [offset, setOffset] = React.useState(0);
  const [list, setList] = React.useState<ListState>({ phase: 'loading' });
  const [selected, setSelected] = React.useState<string>();
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    let live = true;
    setList({ phase: 'loading' });
    client.request(facePerformersQuery, { search: search || null, first: PAGE_SIZE, offset }).then(
      ({ facePerformers }) => live && setList({ phase: 'ready', ...facePerformers }),
      (error: unknown) => live && setList({ phase: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [client, search, offset, generation]);
  const reload = () => setGeneration((value) => value + 1);
  // The performers a selected one can be merged into: the last list shown, kept while the list reloads.
  const [others, setOthers] = React.useState<FacePerformerSummary[]>([]);
  React.useEffect(() => {
    if (list.phase === 'ready') setOthers(list.performers);
  }, [list]);

  return (
    <Card
      title="Face database"
      className="stash-sense-faces"
      actions={
        <button type="button" className="btn btn-sm btn-secondary" onClick={reload}>
          Refresh
        </button>
      }
    >
      <form
        className="form-inline mb-2"
        onSubmit={(event) => {
          event.preventDefault();
          setOffset(0);
          setSearch(text.trim());
        }}
      >
        <input className="form-control form-control-sm mr-2" placeholder="Search performers" aria-label="Search performers" value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" className="btn btn-sm btn-primary">
          Search
        </button>
      </form>
      {list.phase === 'loading' ? <Loading text="Loading performers…" /> : null}
      {list.phase === 'failed' ? <ErrorNotice error={list.error} sidecarUrl={client.url} onRetry={reload} /> : null}
      {list.phase === 'ready' ? (
        <>
          {list.performers.length === 0 ? <p className="stash-sense-muted">No performers{search ? ` match “${search}”` : ' yet: enrol some with `stash-sense enroll`'}.</p> : null}
          <ul className="list-unstyled stash-sense-face-performers">
            {list.performers.map((performer) => (
              <li key={performer.id} className="mb-1">
                <button
                  type="button"
                  className={`btn btn-sm btn-link text-left stash-sense-face-performer ${performer.id === selected ? 'font-weight-bold' : ''}`}
                  onClick={() => setSelected(performer.id)}
                >
                  <Thumbnail src={performer.thumbnail} alt="" /> {performer.name} <span className="stash-sense-muted">({performer.faceCount} faces)</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="stash-sense-pager">
            <button type="button" className="btn btn-sm btn-secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <span className="stash-sense-muted">
              {list.total === 0 ? 'none' : `${offset + 1}–${offset + list.performers.length} of ${list.total}`}
            </span>
            <button type="button" className="btn btn-sm btn-secondary" disabled={offset + PAGE_SIZE >= list.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next
            </button>
          </div>
        </>
      ) : null}
      {/* Outside the list, so reloading the list after a change keeps this panel (and its message) in place. */}
      {selected ? (
        <PerformerDetails
          key={selected}
          client={client}
          id={selected}
          others={others.filter((performer) => performer.id !== selected)}
          onChanged={reload}
          onGone={(next) => {
            setSelected(next);
            reload();
          }}
        />
      ) : null}
    </Card>
  );
}

type Details = FacePerformerSummary & { faces: EnrolledFace[] };
type DetailsState = { phase: 'loading' } | { phase: 'ready'; performer: Details } | { phase: 'missing' } | { phase: 'failed'; error: unknown };

function PerformerDetails(props: { client: SidecarClient; id: string; others: FacePerformerSummary[]; onChanged(): void; onGone(next?: string): void }) {
  const { client, id, others, onChanged, onGone } = props;
  const [state, setState] = React.useState<DetailsState>({ phase: 'loading' });
  const [busy, setBusy] = React.useState(false);
  const [notice, setNotice] = React.useState<string>();
  const [actionError, setActionError] = React.useState<unknown>();
  const [confirmDelete, setConfirmDelete] = React.useState(false);
  const [form, setForm] = React.useState({ name: '', aliases: '', stashIds: '' });
  const [mergeInto, setMergeInto] = React.useState('');

  // Answers that arrive after this panel closed (a merge or delete selects another) are dropped.
  const mounted = React.useRef(true);
  React.useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const load = React.useCallback(() => {
    client.request(facePerformerQuery, { id }).then(
      ({ facePerformer }) => {
        if (!mounted.current) return;
        if (!facePerformer) return setState({ phase: 'missing' });
        setState({ phase: 'ready', performer: facePerformer });
        setForm({
          name: facePerformer.name,
          aliases: facePerformer.aliases.join(', '),
          stashIds: facePerformer.stashIds.map((entry) => `${entry.endpoint}=${entry.stashId}`).join('\n'),
        });
      },
      (error: unknown) => mounted.current && setState({ phase: 'failed', error }),
    );
  }, [client, id]);
  React.useEffect(load, [load]);

  const act = async (work: () => Promise<string>, after: () => void) => {
    setBusy(true);
    setActionError(undefined);
    setNotice(undefined);
    try {
      const message = await work();
      if (!mounted.current) return;
      setNotice(message);
      setBusy(false);
      after();
    } catch (error: unknown) {
      if (!mounted.current) return;
      setActionError(error);
      setBusy(false);
    }
  };

  if (state.phase === 'loading') return <Loading text="Loading faces…" />;
  if (state.phase === 'missing') return <p className="stash-sense-muted">This performer is no longer in the face database.</p>;
  if (state.phase === 'failed') return <ErrorNotice error={state.error} sidecarUrl={client.url} onRetry={load} />;
  const { performer } = state;

  const save = () =>
    act(async () => {
      const stashIds = form.stashIds
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const split = line.lastIndexOf('=');
          return { endpoint: line.slice(0, split).trim(), stashId: line.slice(split + 1).trim() };
        });
      const aliases = form.aliases
        .split(',')
        .map((alias) => alias.trim())
        .filter(Boolean);
      await client.request(editFacePerformerMutation, { id, edit: { name: form.name, aliases, stashIds } });
      return 'Saved.';
    }, () => {
      load();
      onChanged();
    });

  return (
    <section className="stash-sense-face-performer-details border-top pt-2 mt-2" aria-label={`Faces of ${performer.name}`}>
      <h6>
        {performer.name} <span className="stash-sense-muted">({performer.faceCount} faces)</span>
      </h6>
      <div className="form-group">
        <label className="d-block">
          Name
          <input className="form-control form-control-sm" aria-label="Name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
        </label>
        <label className="d-block">
          Aliases (comma separated)
          <input className="form-control form-control-sm" aria-label="Aliases" value={form.aliases} onChange={(event) => setForm({ ...form, aliases: event.target.value })} />
        </label>
        <label className="d-block">
          Stash-box IDs (one endpoint=id per line)
          <textarea
            className="form-control form-control-sm"
            aria-label="Stash-box IDs"
            rows={2}
            value={form.stashIds}
            onChange={(event) => setForm({ ...form, stashIds: event.target.value })}
          />
        </label>
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void save()}>
          Save
        </button>
      </div>
      <div className="form-inline mb-2">
        <select className="form-control form-control-sm mr-2" aria-label="Merge into" value={mergeInto} onChange={(event) => setMergeInto(event.target.value)}>
          <option value="">Merge into…</option>
          {others.map((other) => (
            <option key={other.id} value={other.id}>
              {other.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-sm btn-secondary mr-2"
          disabled={busy || !mergeInto}
          onClick={() =>
            void act(async () => {
              await client.request(mergeFacePerformersMutation, { from: id, into: mergeInto });
              return 'Merged.';
            }, () => onGone(mergeInto))
          }
        >
          Merge
        </button>
        {confirmDelete ? (
          <button
            type="button"
            className="btn btn-sm btn-danger"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const { deleteFacePerformer } = await client.request(deleteFacePerformerMutation, { id });
                return `Deleted, with ${deleteFacePerformer.facesDeleted} faces.`;
              }, () => onGone(undefined))
            }
          >
            Really delete {performer.name} and {performer.faceCount} faces
          </button>
        ) : (
          <button type="button" className="btn btn-sm btn-outline-danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
            Delete performer
          </button>
        )}
      </div>
      {notice ? (
        <div className="stash-sense-notice text-success" role="status">
          {notice}
        </div>
      ) : null}
      {actionError !== undefined ? <ErrorNotice error={actionError} sidecarUrl={client.url} /> : null}
      <ul className="list-unstyled d-flex flex-wrap stash-sense-face-list">
        {performer.faces.map((face) => (
          <li key={face.id} className="stash-sense-enrolled-face m-1 p-1 border" data-face-id={face.id} style={{ width: 11 * 16 }}>
            <Thumbnail src={face.thumbnail} alt={`Face ${face.id}`} size={96} />
            <div className="small">{originNames[face.origin]}</div>
            <div className="small text-truncate" title={face.sourcePath ?? ''}>
              {face.sourcePath ?? (face.originRef ? `Stash performer ${face.originRef}` : '—')}
            </div>
            <div className="small stash-sense-muted">
              score {face.score.toFixed(2)} · {formatDate(face.createdAt)}
            </div>
            <button
              type="button"
              className="btn btn-sm btn-outline-danger mt-1"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await client.request(deleteFaceMutation, { id: face.id });
                  return `Face ${face.id} deleted.`;
                }, () => {
                  load();
                  onChanged();
                })
              }
            >
              Delete face
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Thumbnail({ src, alt, size = THUMB_PX }: { src: string | null; alt: string; size?: number }) {
  if (!src) return <span className="d-inline-block bg-secondary align-middle" style={{ width: size, height: size }} aria-label={alt || undefined} />;
  return <img className="stash-sense-face-thumb align-middle" src={src} alt={alt} width={size} height={size} />;
}
