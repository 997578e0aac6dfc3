import {
  identifyGalleryMutation,
  identifyImageMutation,
  identifySceneMutation,
  sceneIdentificationQuery,
  type Box,
  type GalleryIdentification,
  type SceneIdentification,
  type ScenePerson,
  type StashImageIdentification,
} from '../operations.js';
import { React } from '../react.js';
import { CandidateList, useCandidateActions, type Target } from './candidates.js';
import { ErrorNotice, ErrorBoundary, formatDate, Loading, useSidecar, type Sidecar } from './common.js';

type RunState<T> = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; result: T; stored: boolean } | { phase: 'failed'; error: unknown };

/** The latest run wins: an answer to an older click (or for an unmounted panel) is dropped. */
function useRun<T>(): [RunState<T>, (work: () => Promise<T>, stored?: boolean) => void] {
  const [state, setState] = React.useState<RunState<T>>({ phase: 'idle' });
  const latest = React.useRef(0);
  React.useEffect(
    () => () => {
      latest.current = -1;
    },
    [],
  );
  const run = React.useCallback((work: () => Promise<T>, stored = false) => {
    const ticket = ++latest.current;
    setState({ phase: 'running' });
    work().then(
      (result) => ticket === latest.current && setState({ phase: 'done', result, stored }),
      (error: unknown) => ticket === latest.current && setState({ phase: 'failed', error }),
    );
  }, []);
  return [state, run];
}

function PanelFrame({ title, showTitle, children }: { title: string; showTitle: boolean; children?: React.ReactNode }) {
  return (
    <ErrorBoundary>
      <section className="stash-sense-panel" aria-label={title}>
        {showTitle ? <h5 className="stash-sense-panel-title">{title}</h5> : null}
        {children}
      </section>
    </ErrorBoundary>
  );
}

/** Scene panels sit in a tab already named Stash Sense; image and gallery panels carry the name themselves. */
function WithSidecar({ title, showTitle = true, children }: { title: string; showTitle?: boolean; children: (sidecar: Sidecar) => React.ReactNode }) {
  const sidecar = useSidecar();
  return <PanelFrame title={title} showTitle={showTitle}>{sidecar ? children(sidecar) : <Loading text="Reading the plugin settings from Stash…" />}</PanelFrame>;
}

export function SceneIdentifyPanel({ sceneId }: { sceneId: string }) {
  return <WithSidecar title="Stash Sense" showTitle={false}>{(sidecar) => <SceneIdentify key={sceneId} sceneId={sceneId} sidecar={sidecar} />}</WithSidecar>;
}

function SceneIdentify({ sceneId, sidecar }: { sceneId: string; sidecar: Sidecar }) {
  const { client, settings } = sidecar;
  const [state, run] = useRun<SceneIdentification | null>();
  const target: Target = { kind: 'scene', id: sceneId };
  const actions = useCandidateActions(client, target);

  // The last stored result shows at once; asking for it also tells whether the sidecar answers at all.
  React.useEffect(() => {
    run(async () => (await client.request(sceneIdentificationQuery, { sceneId })).sceneIdentification, true);
  }, [client, sceneId, run]);

  const identify = () => run(async () => (await client.request(identifySceneMutation, { sceneId, options: { topK: settings.maxResults } })).identifyScene);
  const running = state.phase === 'running';

  return (
    <>
      <div className="stash-sense-toolbar">
        <button type="button" className="btn btn-primary stash-sense-identify" disabled={running} onClick={identify}>
          Identify performers
        </button>
        {state.phase === 'done' && state.result ? (
          <span className="stash-sense-muted">
            {state.stored ? 'Last identified' : 'Identified'} {formatDate(state.result.identifiedAt)}
          </span>
        ) : null}
      </div>
      {state.phase === 'running' ? <Loading text="Reading frames and searching the faces… this can take a minute on a CPU." /> : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} sidecarUrl={client.url} onRetry={identify} /> : null}
      {state.phase === 'done' && !state.result ? (
        <p className="stash-sense-muted">Not identified yet. Identify performers reads frames of this scene, finds the faces and searches them in the face database.</p>
      ) : null}
      {state.phase === 'done' && state.result ? <SceneResult result={state.result} sidecar={sidecar} target={target} actions={actions} /> : null}
    </>
  );
}

function SceneResult({
  result,
  sidecar,
  target,
  actions,
}: {
  result: SceneIdentification;
  sidecar: Sidecar;
  target: Target;
  actions: ReturnType<typeof useCandidateActions>;
}) {
  const matched = result.persons.filter((person) => person.status === 'MATCHED');
  const unknown = result.persons.filter((person) => person.status !== 'MATCHED');
  const best = (person: ScenePerson) => person.candidates[0]?.confidence ?? 0;
  return (
    <div className="stash-sense-result">
      <div className="stash-sense-summary">
        {result.persons.length === 0
          ? `No faces found in ${result.framesRead} frames.`
          : `${matched.length} of ${result.persons.length} people recognised in ${result.framesRead} frames (${result.facesDetected} faces).`}
      </div>
      {result.sources
        .filter((source) => source.error)
        .map((source) => (
          <div key={source.source} className="stash-sense-warning">
            {source.source.toLowerCase()}: {source.error}
          </div>
        ))}
      {[...matched]
        .sort((a, b) => best(b) - best(a))
        .map((person) => (
          <div key={person.personId} className="stash-sense-person">
            <img className="stash-sense-face" src={person.thumbnail} alt={`Face of person ${person.personId}`} />
            <div className="stash-sense-person-body">
              <div className="stash-sense-muted">
                Seen in {person.frameCount} frame{person.frameCount === 1 ? '' : 's'}
                {person.body?.changedBestMatch ? ' · best match chosen with body proportions' : ''}
              </div>
              <CandidateList candidates={person.candidates} sidecar={sidecar} target={target} actions={actions} />
            </div>
          </div>
        ))}
      {unknown.length > 0 ? (
        <details className="stash-sense-unknown">
          <summary>
            {unknown.length} face{unknown.length === 1 ? '' : 's'} not in the face database
          </summary>
          <div className="stash-sense-unknown-faces">
            {unknown.map((person) => (
              <img key={person.personId} className="stash-sense-face stash-sense-face-small" src={person.thumbnail} alt={`Unrecognised person ${person.personId}`} />
            ))}
          </div>
        </details>
      ) : null}
    </div>
  );
}

export interface ImageInfo {
  id: string;
  url?: string | null;
  width?: number | null;
  height?: number | null;
}

export function ImageIdentifyPanel({ image }: { image: ImageInfo }) {
  return <WithSidecar title="Stash Sense">{(sidecar) => <ImageIdentify key={image.id} image={image} sidecar={sidecar} />}</WithSidecar>;
}

function ImageIdentify({ image, sidecar }: { image: ImageInfo; sidecar: Sidecar }) {
  const { client, settings } = sidecar;
  const [state, run] = useRun<StashImageIdentification>();
  const target: Target = { kind: 'image', id: image.id };
  const actions = useCandidateActions(client, target);
  const identify = () => run(async () => (await client.request(identifyImageMutation, { imageId: image.id, options: { topK: settings.maxResults } })).identifyStashImage);
  return (
    <>
      <div className="stash-sense-toolbar">
        <button type="button" className="btn btn-primary stash-sense-identify" disabled={state.phase === 'running'} onClick={identify}>
          Identify performers
        </button>
      </div>
      {state.phase === 'running' ? <Loading text="Searching the faces in this image…" /> : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} sidecarUrl={client.url} onRetry={identify} /> : null}
      {state.phase === 'done' ? (
        <div className="stash-sense-result">
          <div className="stash-sense-summary">{state.result.faces.length === 0 ? 'No faces found in this image.' : `${state.result.faces.length} face(s) found.`}</div>
          {state.result.faces.map((face, index) => (
            <div key={index} className="stash-sense-person">
              <FaceCrop image={image} box={face.box} label={`Face ${index + 1}`} />
              <div className="stash-sense-person-body">
                <CandidateList candidates={face.candidates} sidecar={sidecar} target={target} actions={actions} />
              </div>
            </div>
          ))}
        </div>
      ) : null}
    </>
  );
}

/** The face cut out of the Stash image by CSS (Stash's CSP allows images from anywhere; no canvas needed). */
function FaceCrop({ image, box, label }: { image: ImageInfo; box: Box; label: string }) {
  const size = 96;
  if (!image.url || !image.width || !image.height || box.width <= 0 || box.height <= 0) {
    return <div className="stash-sense-face stash-sense-placeholder">{label}</div>;
  }
  const scale = size / Math.max(box.width, box.height);
  const style = {
    backgroundImage: `url("${image.url.replace(/"/g, '%22')}")`,
    backgroundSize: `${image.width * scale}px ${image.height * scale}px`,
    backgroundPosition: `${-box.x * scale}px ${-box.y * scale}px`,
    width: `${box.width * scale}px`,
    height: `${box.height * scale}px`,
  };
  return <div className="stash-sense-face stash-sense-face-crop" role="img" aria-label={label} style={style} />;
}

export function GalleryIdentifyPanel({ galleryId }: { galleryId: string }) {
  return <WithSidecar title="Stash Sense">{(sidecar) => <GalleryIdentify key={galleryId} galleryId={galleryId} sidecar={sidecar} />}</WithSidecar>;
}

function GalleryIdentify({ galleryId, sidecar }: { galleryId: string; sidecar: Sidecar }) {
  const { client, settings } = sidecar;
  const [state, run] = useRun<GalleryIdentification>();
  const [tagImages, setTagImages] = React.useState(false);
  const target: Target = { kind: 'gallery', id: galleryId };
  const actions = useCandidateActions(client, target);
  const identify = () => run(async () => (await client.request(identifyGalleryMutation, { galleryId, options: { topK: settings.maxResults } })).identifyGallery);
  const acceptAll = async (result: GalleryIdentification) => {
    for (const { candidate, imageIds } of result.performers) {
      const current = actions.stateOf(candidate).state;
      if (candidate.link.stashPerformerId && !candidate.alreadyTagged && (current === 'idle' || current === 'failed')) {
        await actions.accept(candidate, tagImages ? { imageIds } : undefined);
      }
    }
  };
  return (
    <>
      <div className="stash-sense-toolbar">
        <button type="button" className="btn btn-primary stash-sense-identify" disabled={state.phase === 'running'} onClick={identify}>
          Identify performers
        </button>
        <label className="stash-sense-check">
          <input type="checkbox" checked={tagImages} onChange={(event) => setTagImages(event.currentTarget.checked)} /> Also tag the images each performer is in
        </label>
      </div>
      {state.phase === 'running' ? <Loading text="Searching the faces in every image of this gallery…" /> : null}
      {state.phase === 'failed' ? <ErrorNotice error={state.error} sidecarUrl={client.url} onRetry={identify} /> : null}
      {state.phase === 'done' ? (
        <div className="stash-sense-result">
          <div className="stash-sense-summary">
            {state.result.performers.length} performer(s) found in {state.result.imagesRead} images.
            {state.result.performers.some((p) => p.candidate.link.stashPerformerId && !p.candidate.alreadyTagged) ? (
              <button type="button" className="btn btn-sm btn-outline-primary ml-2" onClick={() => void acceptAll(state.result)}>
                Accept all in your library
              </button>
            ) : null}
          </div>
          {state.result.errors.length > 0 ? <div className="stash-sense-warning">{state.result.errors.length} image(s) could not be read.</div> : null}
          {state.result.performers.map((performer) => (
            <div key={performer.candidate.performerId} className="stash-sense-person">
              <div className="stash-sense-person-body">
                <div className="stash-sense-muted">
                  Seen in {performer.imageCount} of {state.result.imagesRead} images
                </div>
                <CandidateList
                  candidates={[performer.candidate]}
                  sidecar={sidecar}
                  target={target}
                  actions={actions}
                  acceptExtra={() => (tagImages ? { imageIds: performer.imageIds } : undefined)}
                />
              </div>
            </div>
          ))}
        </div>
      ) : null}
    </>
  );
}
